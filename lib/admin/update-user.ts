import { z } from "zod";
import { db } from "@/lib/db";
import type { AdminWriter, PersonRecord, UserChange } from "@/lib/db/repositories/admin";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { assertMayGrant, GUARDED_ROLE, missingGrants } from "@/lib/authz";
import {
  checkedId,
  Id,
  invalidField,
  parseInput,
  permissionsOfRole,
  requirePermission,
  RoleKey,
  type UseCaseContext,
} from "./common";
import { userDto } from "./dto";
import type { AdminUserDto } from "./types";

/**
 * PATCH /api/admin/users/{id}: `{role?, teamId?, disabled?}`. Anything else in the body (an
 * orgId, an email, a different id) is dropped by the schema and changes nothing.
 */
export const UpdateUserBody = z
  .object({
    role: RoleKey.optional(),
    teamId: Id.nullable().optional(),
    disabled: z.boolean().optional(),
  })
  .refine((b) => b.role !== undefined || b.teamId !== undefined || b.disabled !== undefined, {
    message: "send at least one of role, teamId or disabled",
  });
export type UpdateUserInput = z.input<typeof UpdateUserBody>;

type AuditEntry = Parameters<AdminWriter["audit"]>;

/**
 * The change of one person, inside the org-locked transaction: validates the new role and team
 * against the org, applies the guards, writes the row and one audit event per aspect changed.
 */
export async function applyUserChange(
  w: AdminWriter,
  p: Principal,
  before: PersonRecord,
  patch: { role?: string; teamId?: string | null; disabled?: boolean },
): Promise<void> {
  // Whoever holds permissions the actor lacks is out of the actor's reach (an admin reaches all).
  const beyond = missingGrants(
    p,
    permissionsOfRole({ key: before.role, permissions: before.rolePermissions }),
  );
  if (beyond.length > 0) {
    throw new AppError(
      "forbidden",
      `You cannot change ${before.email}: their role has permissions you do not hold (${beyond.join(", ")}).`,
    );
  }

  const change: UserChange = {};
  const events: AuditEntry[] = [];
  const target = { type: "user", id: before.id };
  let deactivating = false;

  if (patch.role !== undefined && patch.role !== before.role) {
    const role = await w.findRole(patch.role);
    if (!role) throw invalidField("role", `no role “${patch.role}” in this organization`);
    assertMayGrant(p, permissionsOfRole(role), `the role “${role.name}”`, { field: "role" });
    change.role = role.key;
    events.push(["user.role_changed", target, { email: before.email, from: before.role, to: role.key }]);
  }

  if (patch.teamId !== undefined && patch.teamId !== before.teamId) {
    const team = patch.teamId === null ? null : await w.findTeam(patch.teamId);
    if (patch.teamId !== null && !team) throw invalidField("teamId", "no such team in this organization");
    const from = before.teamId ? await w.findTeam(before.teamId) : null;
    change.teamId = team?.id ?? null;
    events.push(["user.team_changed", target, { email: before.email, from: from ?? null, to: team }]);
  }

  if (patch.disabled === true && !before.disabledAt) {
    if (before.id === p.userId) {
      throw new AppError("conflict", "You cannot deactivate yourself. Ask another admin to do it.");
    }
    change.disabledAt = new Date();
    deactivating = true;
  } else if (patch.disabled === false && before.disabledAt) {
    change.disabledAt = null;
    events.push(["user.reactivated", target, { email: before.email, from: "disabled", to: "active" }]);
  }

  // Never leave the org without an enabled admin. The org row is locked, so two demotions of the
  // last two admins are serialized: the second one counts after the first has committed.
  const wasActiveAdmin = before.role === GUARDED_ROLE && !before.disabledAt;
  const roleAfter = change.role ?? before.role;
  const activeAfter = change.disabledAt === undefined ? !before.disabledAt : change.disabledAt === null;
  if (wasActiveAdmin && !(roleAfter === GUARDED_ROLE && activeAfter)) {
    const admins = await w.countActiveWithRole(GUARDED_ROLE);
    if (admins <= 1) {
      const what = change.role !== undefined ? "change the role of" : "deactivate";
      throw new AppError(
        "conflict",
        before.id === p.userId
          ? `You are the only active admin of this organization. Make someone else an admin before you ${what === "deactivate" ? "deactivate yourself" : "change your own role"}.`
          : `${before.email} is the only active admin of this organization. Make someone else an admin before you ${what} them.`,
        { reason: "last_admin" },
      );
    }
  }

  if (Object.keys(change).length === 0) return;
  await w.updateUser(before.id, change);
  if (deactivating) {
    // Principal resolution already refuses a disabled user; revoking the sessions also makes the
    // sign-out explicit and keeps a later reactivation from reviving old cookies.
    const sessionsRevoked = await w.revokeSessions(before.id);
    events.push([
      "user.deactivated",
      target,
      { email: before.email, from: "active", to: "disabled", sessionsRevoked },
    ]);
  }
  for (const e of events) await w.audit(...e);
}

export async function updateUser(
  p: Principal,
  input: { userId: string; patch: UpdateUserInput },
  ctx: UseCaseContext = {},
): Promise<AdminUserDto> {
  requirePermission(p, "user.manage");
  const userId = checkedId(input.userId, "User");
  const patch = parseInput(UpdateUserBody, input.patch);
  return db.for(p).admin.write(ctx.requestId, async (w) => {
    const before = await w.findPerson(userId);
    if (!before) throw AppError.notFound("User");
    await applyUserChange(w, p, before, patch);
    const after = await w.getUser(userId);
    if (!after) throw AppError.notFound("User");
    return userDto(after);
  });
}

export async function getUser(
  p: Principal,
  input: { userId: string },
  _ctx: UseCaseContext = {},
): Promise<AdminUserDto> {
  requirePermission(p, "user.manage");
  const u = await db.for(p).admin.getUser(checkedId(input.userId, "User"));
  if (!u) throw AppError.notFound("User");
  return userDto(u);
}

/** The operations of the issue, each one aspect of updateUser. */
export const changeUserRole = (
  p: Principal,
  input: { userId: string; role: string },
  ctx: UseCaseContext = {},
) => updateUser(p, { userId: input.userId, patch: { role: input.role } }, ctx);

export const changeUserTeam = (
  p: Principal,
  input: { userId: string; teamId: string | null },
  ctx: UseCaseContext = {},
) => updateUser(p, { userId: input.userId, patch: { teamId: input.teamId } }, ctx);

export const deactivateUser = (p: Principal, input: { userId: string }, ctx: UseCaseContext = {}) =>
  updateUser(p, { userId: input.userId, patch: { disabled: true } }, ctx);

export const reactivateUser = (p: Principal, input: { userId: string }, ctx: UseCaseContext = {}) =>
  updateUser(p, { userId: input.userId, patch: { disabled: false } }, ctx);
