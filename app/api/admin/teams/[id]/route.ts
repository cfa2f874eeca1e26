import { deleteTeam, renameTeam, TeamNameBody } from "@/lib/admin";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const PATCH = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const body = await readJsonBody(req, TeamNameBody, { maxBytes: 4096 });
    return json(await renameTeam(principal, { teamId: params.id, body }, { requestId }));
  },
  { permission: "team.manage" },
);

export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await deleteTeam(principal, { teamId: params.id }, { requestId });
    return new Response(null, { status: 204 });
  },
  { permission: "team.manage" },
);
