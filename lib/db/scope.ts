import type { Principal } from "@/lib/principal";

/**
 * The WHERE fragment that makes a row "mine". Every personal query spreads it, so a forgotten
 * ownership check returns nothing instead of someone else's row.
 */
export function ownerScope(p: Principal): { orgId: string; userId: string } {
  return { orgId: p.orgId, userId: p.userId };
}
