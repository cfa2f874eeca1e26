import type { Principal } from "@/lib/principal";

/** The principal's own API keys. */
export function apiKeyRepository(p: Principal) {
  return { userId: p.userId };
}
