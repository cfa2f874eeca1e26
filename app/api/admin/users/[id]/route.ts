import { getUser, updateUser, UpdateUserBody } from "@/lib/admin";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) =>
    json(await getUser(principal, { userId: params.id }, { requestId })),
  { permission: "user.manage" },
);

export const PATCH = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const patch = await readJsonBody(req, UpdateUserBody, { maxBytes: 4096 });
    return json(await updateUser(principal, { userId: params.id, patch }, { requestId }));
  },
  { permission: "user.manage" },
);
