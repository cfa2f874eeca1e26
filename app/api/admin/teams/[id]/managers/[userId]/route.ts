import { addTeamManager, removeTeamManager } from "@/lib/admin";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string; userId: string };

/** Makes the person a manager of the team (idempotent); answers the person, with `canReadTeam`. */
export const PUT = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) =>
    json(await addTeamManager(principal, { teamId: params.id, userId: params.userId }, { requestId })),
  { permission: "team.manage" },
);

export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await removeTeamManager(principal, { teamId: params.id, userId: params.userId }, { requestId });
    return new Response(null, { status: 204 });
  },
  { permission: "team.manage" },
);
