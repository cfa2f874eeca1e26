import { withPrincipal } from "@/lib/http/route";
import { downloadExport } from "@/lib/privacy/export";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** The archive of one of my finished exports, until it expires. Anyone else's, or expired: 404. */
export const GET = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    const d = await downloadExport(principal, params.id, { requestId });
    return new Response(d.body, {
      status: 200,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="${d.filename}"`,
        "content-length": String(d.bytes),
        "cache-control": "no-store",
      },
    });
  },
  { permission: "data.export.own", reveal: true },
);
