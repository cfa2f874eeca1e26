import { listTeamMembers } from "@/lib/admin";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) =>
    json({ items: await listTeamMembers(principal, { teamId: params.id }, { requestId }) }),
  { permission: "team.manage" },
);
