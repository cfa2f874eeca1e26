import { z } from "zod";
import { plainText } from "@/lib/http/text";
import { db } from "@/lib/db";
import { assertMayGrant, isBuiltInRole, PERMISSION_IDS, type Permission } from "@/lib/authz";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { parseInput, requirePermission, RoleKey, type UseCaseContext } from "./common";
import { catalogDto, roleDto } from "./dto";
import type { RoleDto, RolesDto } from "./types";

const PermissionId = z.enum(PERMISSION_IDS as unknown as [Permission, ...Permission[]], {
  error: (issue) => `unknown permission ${JSON.stringify(issue.input)}`,
});

const Permissions = z
  .array(PermissionId)
  .max(PERMISSION_IDS.length * 2)
  .transform((list) => PERMISSION_IDS.filter((id) => list.includes(id)));

const RoleName = plainText().trim().min(1, "the name is empty").max(60, "at most 60 characters");
const RoleDescription = plainText().trim().max(500, "at most 500 characters");

/** POST /api/admin/roles. `builtIn`, `orgId` and anything else are dropped. */
export const CreateRoleBody = z.object({
  key: RoleKey,
  name: RoleName,
  description: RoleDescription.default(""),
  permissions: Permissions,
});
export type CreateRoleInput = z.input<typeof CreateRoleBody>;

/** PATCH /api/admin/roles/{key}. The key itself cannot change (people and mappings refer to it). */
export const UpdateRoleBody = z
  .object({
    name: RoleName.optional(),
    description: RoleDescription.optional(),
    permissions: Permissions.optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined || b.permissions !== undefined, {
    message: "send at least one of name, description or permissions",
  });
export type UpdateRoleInput = z.input<typeof UpdateRoleBody>;

const BUILT_IN_READ_ONLY = "Built-in roles cannot be edited or deleted; create a custom role instead.";

/** GET /api/admin/roles: the permission catalog and every role of the org, built-in first. */
export async function listRoles(
  p: Principal,
  _input: Record<string, never> = {},
  _ctx: UseCaseContext = {},
): Promise<RolesDto> {
  requirePermission(p, "role.manage");
  const roles = await db.for(p).admin.listRoles();
  return { permissions: catalogDto(), roles: roles.map(roleDto) };
}

export async function createRole(
  p: Principal,
  input: CreateRoleInput,
  ctx: UseCaseContext = {},
): Promise<RoleDto> {
  requirePermission(p, "role.manage");
  const body = parseInput(CreateRoleBody, input);
  if (isBuiltInRole(body.key)) {
    throw new AppError("conflict", `“${body.key}” is the key of a built-in role; pick another key.`, {
      fields: [{ field: "key", message: "reserved" }],
    });
  }
  assertMayGrant(p, body.permissions, `the role “${body.name}”`);
  return db.for(p).admin.write(ctx.requestId, async (w) => {
    if (await w.findRole(body.key)) {
      throw new AppError("conflict", `A role with the key “${body.key}” already exists.`, {
        fields: [{ field: "key", message: "already in use" }],
      });
    }
    await w.createRole(body);
    await w.audit("role.created", { type: "role", id: body.key }, { from: null, to: body });
    const created = await w.findRole(body.key);
    if (!created) throw AppError.notFound("Role");
    return roleDto(created);
  });
}

export async function updateRole(
  p: Principal,
  input: { key: string; body: UpdateRoleInput },
  ctx: UseCaseContext = {},
): Promise<RoleDto> {
  requirePermission(p, "role.manage");
  const key = roleKeyParam(input.key);
  const body = parseInput(UpdateRoleBody, input.body);
  return db.for(p).admin.write(ctx.requestId, async (w) => {
    const role = await w.findRole(key);
    if (!role) throw AppError.notFound("Role");
    if (role.builtIn) throw new AppError("conflict", BUILT_IN_READ_ONLY);
    const from: Record<string, unknown> = {};
    const to: Record<string, unknown> = {};
    const change: { name?: string; description?: string; permissions?: string[] } = {};
    if (body.name !== undefined && body.name !== role.name) {
      from.name = role.name;
      to.name = change.name = body.name;
    }
    if (body.description !== undefined && body.description !== role.description) {
      from.description = role.description;
      to.description = change.description = body.description;
    }
    if (body.permissions !== undefined) {
      const added = body.permissions.filter((x) => !role.permissions.includes(x));
      const removed = role.permissions.filter((x) => !(body.permissions as string[]).includes(x));
      if (added.length > 0 || removed.length > 0) {
        // Only what is added has to be the actor's own; removing is always allowed.
        assertMayGrant(p, added, `the role “${role.name}” these permissions`);
        from.permissions = role.permissions;
        to.permissions = change.permissions = body.permissions;
      }
    }
    if (Object.keys(change).length > 0) {
      await w.updateRole(key, change);
      await w.audit("role.updated", { type: "role", id: key }, { from, to });
    }
    const after = await w.findRole(key);
    if (!after) throw AppError.notFound("Role");
    return roleDto(after);
  });
}

/** DELETE /api/admin/roles/{key}: refused while anyone holds the role or an SSO mapping assigns it. */
export async function deleteRole(
  p: Principal,
  input: { key: string },
  ctx: UseCaseContext = {},
): Promise<void> {
  requirePermission(p, "role.manage");
  const key = roleKeyParam(input.key);
  await db.for(p).admin.write(ctx.requestId, async (w) => {
    const role = await w.findRole(key);
    if (!role) throw AppError.notFound("Role");
    if (role.builtIn) throw new AppError("conflict", BUILT_IN_READ_ONLY);
    if (role.userCount > 0) {
      throw new AppError(
        "conflict",
        `The role “${role.name}” is held by ${role.userCount} ${role.userCount === 1 ? "person" : "people"}; give them another role before deleting it.`,
        { reason: "role_in_use" },
      );
    }
    if (role.mappingCount > 0) {
      throw new AppError(
        "conflict",
        `The role “${role.name}” is assigned by ${role.mappingCount} SSO group ${role.mappingCount === 1 ? "mapping" : "mappings"}; change them in Settings before deleting it.`,
        { reason: "role_in_use" },
      );
    }
    await w.deleteRole(key);
    await w.audit(
      "role.deleted",
      { type: "role", id: key },
      {
        from: {
          key: role.key,
          name: role.name,
          description: role.description,
          permissions: role.permissions,
        },
        to: null,
      },
    );
  });
}

function roleKeyParam(key: string): string {
  const r = RoleKey.safeParse(key);
  if (!r.success) throw AppError.notFound("Role");
  return r.data;
}
