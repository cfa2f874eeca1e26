import { removeTeamMember, setTeamMember } from "@/lib/admin";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string; userId: string };

/** Moves the person into the team (membership is one team per person); idempotent. */
export const PUT = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) =>
    json(await setTeamMember(principal, { teamId: params.id, userId: params.userId }, { requestId })),
  { permission: "team.manage" },
);

export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await removeTeamMember(principal, { teamId: params.id, userId: params.userId }, { requestId });
    return new Response(null, { status: 204 });
  },
  { permission: "team.manage" },
);
