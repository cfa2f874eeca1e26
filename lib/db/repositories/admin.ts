import type { Principal } from "@/lib/principal";

/**
 * Org administration (users, teams, roles, settings), scoped to the principal's org. Which of
 * these a principal may call is decided by lib/authz at the entry point; every query here is
 * additionally bound to principal.orgId, so no body field can reach another org.
 */
export function adminRepository(p: Principal) {
  return { orgId: p.orgId };
}
