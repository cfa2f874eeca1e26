import { exportAuditCheckpoints } from "@/lib/audit/console";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The org's signed checkpoints, as a JSON download to keep outside Enclave. */
export const GET = withPrincipal(
  async (_req, principal, { requestId }) => {
    const { filename, body } = await exportAuditCheckpoints(principal, { requestId });
    return json(body, { headers: { "content-disposition": `attachment; filename="${filename}"` } });
  },
  { permission: "audit.read" },
);
