import { getAuditEvent } from "@/lib/audit/console";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** One event of the org's trail with the other events of its request (a chat turn's steps). */
export const GET = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) =>
    json(await getAuditEvent(principal, { id: params.id }, { requestId })),
  { permission: "audit.read" },
);
