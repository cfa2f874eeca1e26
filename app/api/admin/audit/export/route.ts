import { exportAuditEvents, streamOfChunks } from "@/lib/audit/console";
import { withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * The filtered trail as a download (JSON Lines or CSV), streamed a batch at a time. The export is
 * recorded (audit.exported) before the first row is sent.
 */
export const GET = withPrincipal(
  async (req, principal, { requestId }) => {
    const out = await exportAuditEvents(principal, Object.fromEntries(new URL(req.url).searchParams), {
      requestId,
    });
    return new Response(streamOfChunks(out.chunks), {
      status: 200,
      headers: {
        "content-type": out.contentType,
        "content-disposition": `attachment; filename="${out.filename}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  },
  { permission: "audit.read" },
);
