import { listAuditEvents } from "@/lib/audit/console";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The org's audit trail, newest first, filtered (the use case validates the query); `nextCursor` pages on. */
export const GET = withPrincipal(
  async (req, principal, { requestId }) =>
    json(await listAuditEvents(principal, Object.fromEntries(new URL(req.url).searchParams), { requestId })),
  { permission: "audit.read" },
);
