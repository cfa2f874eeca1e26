import { cache } from "react";
import { cookies } from "next/headers";
import { unsafeResolveSession } from "@/lib/db/identity";
import type { Principal } from "@/lib/principal";
import { authSecret } from "./secret";
import { readSessionCookie, sessionIdFromCookie } from "./session-cookie";

/**
 * The signed-in principal for this request, or null. The cookie only names a server-side
 * session; the session row and the user's state are read every time, so sign-out, expiry and
 * deactivation take effect on the very next request. Memoised per request for server components.
 */
export const getPrincipal = cache(async (): Promise<Principal | null> => {
  const jar = await cookies();
  const cookie = readSessionCookie((name) => jar.get(name)?.value);
  if (!cookie) return null;
  const sid = await sessionIdFromCookie(cookie.token, cookie.name, authSecret());
  if (!sid) return null;
  return principalForSession(sid);
});

export async function principalForSession(sid: string): Promise<Principal | null> {
  const active = await unsafeResolveSession(sid);
  if (!active) return null;
  const u = active.user;
  return { userId: u.id, orgId: u.orgId, role: u.role, teamId: u.teamId, sessionId: sid, email: u.email, name: u.name };
}
