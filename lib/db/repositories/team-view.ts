import type { Principal } from "@/lib/principal";

/** Justified, read-only views of other people's conversations (managers, admins). */
export function teamViewRepository(p: Principal) {
  return { orgId: p.orgId };
}
