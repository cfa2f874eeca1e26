import { createTeam, listTeams, TeamNameBody } from "@/lib/admin";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(
  async (_req, principal, { requestId }) => json({ items: await listTeams(principal, {}, { requestId }) }),
  {
    permission: "team.manage",
  },
);

export const POST = withPrincipal(
  async (req, principal, { requestId }) => {
    const body = await readJsonBody(req, TeamNameBody, { maxBytes: 4096 });
    return json(await createTeam(principal, body, { requestId }), { status: 201 });
  },
  { permission: "team.manage" },
);
