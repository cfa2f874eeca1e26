import { verifyAuditChain } from "@/lib/audit/console";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Seals what is pending and verifies the org's chain; 200 with `ok: false` when it is broken. */
export const POST = withPrincipal(
  async (_req, principal, { requestId }) => json(await verifyAuditChain(principal, { requestId })),
  { permission: "audit.read" },
);
