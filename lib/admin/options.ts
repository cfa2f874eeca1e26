import { db } from "@/lib/db";
import type { Principal } from "@/lib/principal";
import { requirePermission, type UseCaseContext } from "./common";
import type { Option } from "./types";

/** The org's roles for a <select> on the users page (built-in first, then custom). */
export async function listRoleOptions(
  p: Principal,
  _input: Record<string, never> = {},
  _ctx: UseCaseContext = {},
): Promise<Option[]> {
  requirePermission(p, "user.manage");
  return (await db.for(p).admin.listRoles()).map((r) => ({ value: r.key, label: r.name }));
}

/** The org's teams for a <select> on the users page. */
export async function listTeamOptions(
  p: Principal,
  _input: Record<string, never> = {},
  _ctx: UseCaseContext = {},
): Promise<Option[]> {
  requirePermission(p, "user.manage");
  return (await db.for(p).admin.listTeamOptions()).map((t) => ({ value: t.id, label: t.name }));
}
