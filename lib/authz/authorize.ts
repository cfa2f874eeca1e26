import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import {
  API_KEY_SCOPES,
  builtInPermissions,
  isBuiltInRole,
  isPermission,
  type ApiKeyScope,
  type Permission,
} from "./catalog";

/**
 * What a principal may do: the permissions of their role (built-in from the catalog, custom from
 * the org's role row), narrowed by an API key's scopes when acting through one.
 */
export function effectivePermissions(input: {
  role: string;
  customRolePermissions: readonly string[];
  apiKeyScopes?: readonly string[] | null;
}): ReadonlySet<Permission> {
  const fromRole = isBuiltInRole(input.role)
    ? new Set(builtInPermissions(input.role))
    : new Set(input.customRolePermissions.filter(isPermission));
  if (!input.apiKeyScopes) return fromRole;
  const allowedByScopes = new Set<Permission>(
    input.apiKeyScopes.flatMap((s) => (s in API_KEY_SCOPES ? [...API_KEY_SCOPES[s as ApiKeyScope].permissions] : [])),
  );
  return new Set([...fromRole].filter((p) => allowedByScopes.has(p)));
}

/** Someone else's things, as far as authorization needs to know them. */
export type Resource = { type: "user"; userId: string; orgId: string; teamId: string | null };

export function can(p: Principal, permission: Permission, resource?: Resource): boolean {
  if (!p.permissions.has(permission)) return false;
  if (!resource) return true;
  if (resource.orgId !== p.orgId) return false;
  switch (permission) {
    case "conversation.read.own":
    case "conversation.write.own":
      return resource.userId === p.userId;
    case "conversation.read.team":
      return resource.teamId !== null && p.managedTeamIds.includes(resource.teamId) && resource.userId !== p.userId;
    case "conversation.read.org":
      return resource.userId !== p.userId;
    default:
      return true;
  }
}

/**
 * Throws unless allowed. By default a refusal is a 404, so that the answer does not reveal that
 * the thing exists; `reveal` gives a 403 where existence is no secret (e.g. a read-only API key
 * trying to chat).
 */
export function authorize(p: Principal, permission: Permission, resource?: Resource, opts: { reveal?: boolean; what?: string } = {}): void {
  if (can(p, permission, resource)) return;
  if (opts.reveal) {
    throw new AppError("forbidden", forbiddenMessage(p, permission));
  }
  throw AppError.notFound(opts.what ?? "Resource");
}

function forbiddenMessage(p: Principal, permission: Permission): string {
  if (p.via === "apikey" && permission === "apikey.manage.own") {
    return "API keys cannot manage API keys: sign in to the web app to create or revoke keys.";
  }
  if (p.via === "apikey") return `This API key's scopes do not allow ${permission}.`;
  return `Your role does not allow ${permission}.`;
}

/** Whose conversations may this principal open (with a justification)? */
export type ViewScope = { kind: "org" } | { kind: "teams"; teamIds: readonly string[] } | null;

export function conversationViewScope(p: Principal): ViewScope {
  if (p.permissions.has("conversation.read.org")) return { kind: "org" };
  if (p.permissions.has("conversation.read.team") && p.managedTeamIds.length > 0) {
    return { kind: "teams", teamIds: p.managedTeamIds };
  }
  return null;
}

/** Permissions that each open a part of the admin console. */
export const ADMIN_CONSOLE_PERMISSIONS = ["user.manage", "team.manage", "role.manage", "org.settings", "audit.read", "usage.read.team", "usage.read.org", "budget.manage"] as const satisfies readonly Permission[];

export function canSeeAdminConsole(p: Principal): boolean {
  return ADMIN_CONSOLE_PERMISSIONS.some((perm) => p.permissions.has(perm));
}
