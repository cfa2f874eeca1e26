import { can } from "@/lib/authz";
import type { UsageScope } from "@/lib/db";
import type { Principal } from "@/lib/principal";

/**
 * Whose usage this principal may see on /admin/usage, from their permissions (lib/authz holds
 * what each role has): the whole org (usage.read.org: admins, auditors), the teams they manage
 * (usage.read.team: managers), or nobody's (null: the page and its API answer 404). Teams are
 * matched by the team a call was made under (recorded on each usage row).
 */
export function usageScopeFor(p: Principal): Exclude<UsageScope, { kind: "self" }> | null {
  if (can(p, "usage.read.org")) return { kind: "org" };
  if (can(p, "usage.read.team") && p.managedTeamIds.length > 0) return { kind: "teams", teamIds: p.managedTeamIds };
  return null;
}
