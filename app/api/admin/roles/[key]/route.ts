import { deleteRole, updateRole, UpdateRoleBody } from "@/lib/admin";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { key: string };

export const PATCH = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const body = await readJsonBody(req, UpdateRoleBody, { maxBytes: 16_384 });
    return json(await updateRole(principal, { key: params.key, body }, { requestId }));
  },
  { permission: "role.manage" },
);

export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await deleteRole(principal, { key: params.key }, { requestId });
    return new Response(null, { status: 204 });
  },
  { permission: "role.manage" },
);
