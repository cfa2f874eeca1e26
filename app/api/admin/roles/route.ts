import { createRole, CreateRoleBody, listRoles } from "@/lib/admin";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The permission catalog (ids, descriptions, built-in holders) and the org's roles. */
export const GET = withPrincipal(
  async (_req, principal, { requestId }) => json(await listRoles(principal, {}, { requestId })),
  {
    permission: "role.manage",
  },
);

export const POST = withPrincipal(
  async (req, principal, { requestId }) => {
    const body = await readJsonBody(req, CreateRoleBody, { maxBytes: 16_384 });
    return json(await createRole(principal, body, { requestId }), { status: 201 });
  },
  { permission: "role.manage" },
);
