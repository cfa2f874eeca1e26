import { AppError, type FieldIssue } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { API_KEY_SCOPES, builtInPermissions, type ApiKeyScope, type BuiltInRole, type Permission } from "./catalog";

/**
 * Who may grant what: the one rule behind every path that changes what a person may do (a
 * role change, a custom role's permissions, an SSO group mapping, a team manager assignment,
 * an API key's scopes). Nobody grants a permission they do not hold themselves.
 */

/**
 * The built-in role an org must always keep one enabled holder of: it is the only role that
 * holds every admin-console permission and cannot be edited, so without it nobody could repair
 * the org from the console.
 */
export const GUARDED_ROLE = "admin" satisfies BuiltInRole;

/**
 * What every member holds is not a privilege: anyone who may assign roles may hand it out. An
 * org-wide read covers the team-wide one (an admin, who reads any conversation with a
 * justification, may make someone a manager).
 */
const BASELINE: ReadonlySet<Permission> = builtInPermissions("member");
const COVERED_BY: Partial<Record<Permission, Permission>> = {
  "conversation.read.team": "conversation.read.org",
  "usage.read.team": "usage.read.org",
};

/** The permissions among `permissions` that `p` may not grant (empty: they may grant them all). */
export function missingGrants(p: Principal, permissions: Iterable<Permission>): Permission[] {
  return [...new Set(permissions)].filter((perm) => {
    if (BASELINE.has(perm) || p.permissions.has(perm)) return false;
    const wider = COVERED_BY[perm];
    return !(wider && p.permissions.has(wider));
  });
}

export function mayGrant(p: Principal, permissions: Iterable<Permission>): boolean {
  return missingGrants(p, permissions).length === 0;
}

/**
 * Throws 403 unless `p` may grant every one of `permissions`. `what` names the grant in the
 * message ("the role “Admin”", "the SSO mapping “acme-admins” → admin"); `field` points a
 * client at the input that asked for it.
 */
export function assertMayGrant(
  p: Principal,
  permissions: Iterable<Permission>,
  what: string,
  opts: { field?: string } = {},
): void {
  const missing = missingGrants(p, permissions);
  if (missing.length === 0) return;
  const message = `You cannot grant ${what}: it includes permissions you do not hold (${missing.join(", ")}).`;
  throw new AppError("forbidden", message, opts.field ? { fields: [{ field: opts.field, message }] } : {});
}

/**
 * Making someone a manager of a team gives them (through `conversation.read.team`) the team's
 * conversations: only someone who could read them themselves may hand that out — an org-wide
 * reader, or a team reader who manages that team. The check holds whatever the new manager's
 * role is today: an assignment without the permission becomes live the day their role gains it.
 */
export function mayGrantTeamRead(p: Principal, teamId: string): boolean {
  if (p.permissions.has("conversation.read.org")) return true;
  return p.permissions.has("conversation.read.team") && p.managedTeamIds.includes(teamId);
}

export function assertMayGrantTeamRead(p: Principal, team: { id: string; name: string }, what: string): void {
  if (mayGrantTeamRead(p, team.id)) return;
  throw new AppError(
    "forbidden",
    `You cannot ${what}: a manager may read the conversations of “${team.name}”, and you may not (it needs conversation.read.org, or conversation.read.team for a team you manage).`,
  );
}

/**
 * A key never does more than its owner's role (its permissions are the intersection), so a
 * scope whose permissions the owner lacks would be a promise the key cannot keep: it is refused
 * rather than stored. No baseline applies here; the owner must hold each permission.
 */
export function missingScopePermissions(p: Principal, scopes: readonly ApiKeyScope[]): Array<{ scope: ApiKeyScope; missing: Permission[] }> {
  return scopes
    .map((scope) => ({ scope, missing: (API_KEY_SCOPES[scope].permissions as readonly Permission[]).filter((perm) => !p.permissions.has(perm)) }))
    .filter((s) => s.missing.length > 0);
}

export function assertMayGrantScopes(p: Principal, scopes: readonly ApiKeyScope[]): void {
  const lacking = missingScopePermissions(p, scopes);
  if (lacking.length === 0) return;
  const fields: FieldIssue[] = lacking.map(({ scope, missing }) => ({
    field: "scopes",
    message: `the “${scope}” scope needs ${missing.join(", ")}, which your role does not hold`,
  }));
  throw new AppError(
    "forbidden",
    `You cannot create a key with ${lacking.map((s) => `the “${s.scope}” scope`).join(" or ")}: ${fields.map((f) => f.message).join("; ")}.`,
    { fields },
  );
}
