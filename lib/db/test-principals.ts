import { effectivePermissions } from "@/lib/authz";
import type { Principal } from "@/lib/principal";
import type { UserRecord } from "./types";

/** A principal as the session resolver would build it, for tests that skip the cookie. */
export function principalFor(
  u: UserRecord,
  opts: { sessionId?: string; managedTeamIds?: string[]; customRolePermissions?: string[]; apiKeyScopes?: string[] } = {},
): Principal {
  return {
    userId: u.id,
    orgId: u.orgId,
    role: u.role,
    teamId: u.teamId,
    sessionId: opts.sessionId ?? "test-session",
    email: u.email,
    name: u.name,
    permissions: effectivePermissions({
      role: u.role,
      customRolePermissions: opts.customRolePermissions ?? [],
      apiKeyScopes: opts.apiKeyScopes ?? null,
    }),
    managedTeamIds: opts.managedTeamIds ?? [],
    via: opts.apiKeyScopes ? "apikey" : "session",
  };
}
