import { json, withPrincipal } from "@/lib/http/route";
import { listMyExports, startExport } from "@/lib/privacy/export";

export const dynamic = "force-dynamic";

/** My recent exports. */
export const GET = withPrincipal(async (_req, principal) => json({ items: await listMyExports(principal) }), {
  permission: "data.export.own",
  reveal: true,
});

/** Starts an export of all my data: 202 with the job's id (follow it at /api/jobs/:id). */
export const POST = withPrincipal(
  async (_req, principal, { requestId }) => {
    const { id } = await startExport(principal, { requestId });
    return json({ id }, { status: 202, headers: { location: `/api/jobs/${id}` } });
  },
  { permission: "data.export.own", reveal: true },
);
