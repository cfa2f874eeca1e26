import { cache } from "react";
import { cookies } from "next/headers";
import { effectivePermissions } from "@/lib/authz";
import { unsafeResolveApiKey, unsafeResolveSession, unsafeTouchApiKey, type ActingUser } from "@/lib/db/identity";
import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";
import { hashApiKey, looksLikeApiKey } from "./api-key-format";
import { authSecret } from "./secret";
import { readSessionCookie, sessionIdFromCookie } from "./session-cookie";

/**
 * Who is calling. Two credentials are accepted: the browser's session cookie, or a personal API
 * key as `Authorization: Bearer enc_…`. Either way the database is consulted on every request
 * (one indexed query), so sign-out, revocation, deactivation and role changes apply at once.
 */
export type Credentials = { cookieHeader: string | null; authorization: string | null };

export type Resolution =
  | { ok: true; principal: Principal }
  | { ok: false; reason: "none" | "invalid_session" | "invalid_api_key" };

function principalOf(u: ActingUser, sessionId: string, via: Principal["via"], scopes?: string[], apiKeyId?: string): Principal {
  return {
    userId: u.id,
    orgId: u.orgId,
    role: u.role,
    teamId: u.teamId,
    sessionId,
    email: u.email,
    name: u.name,
    permissions: effectivePermissions({ role: u.role, customRolePermissions: u.rolePermissions, apiKeyScopes: scopes ?? null }),
    managedTeamIds: u.managedTeamIds,
    via,
    ...(apiKeyId ? { apiKeyId } : {}),
  };
}

export async function principalForSession(sid: string): Promise<Principal | null> {
  const active = await unsafeResolveSession(sid);
  return active ? principalOf(active.user, sid, "session") : null;
}

export async function principalForApiKey(key: string): Promise<Principal | null> {
  if (!looksLikeApiKey(key)) return null;
  const active = await unsafeResolveApiKey(hashApiKey(key));
  if (!active) return null;
  if (!active.lastUsedAt || Date.now() - active.lastUsedAt.getTime() > 60_000) {
    unsafeTouchApiKey(active.keyId).catch((err: unknown) => logger.warn({ err }, "could not record API key use"));
  }
  // A key has no browser session; its id stands in as the session for tracing.
  return principalOf(active.user, `key:${active.keyId}`, "apikey", active.scopes, active.keyId);
}

function parseCookies(header: string | null): Map<string, string> {
  const jar = new Map<string, string>();
  if (!header) return jar;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    try {
      jar.set(name, decodeURIComponent(value));
    } catch {
      jar.set(name, value);
    }
  }
  return jar;
}

export async function resolvePrincipal(creds: Credentials): Promise<Resolution> {
  const auth = creds.authorization?.trim();
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const principal = m?.[1] ? await principalForApiKey(m[1]) : null;
    return principal ? { ok: true, principal } : { ok: false, reason: "invalid_api_key" };
  }
  const jar = parseCookies(creds.cookieHeader);
  const cookie = readSessionCookie((name) => jar.get(name));
  if (!cookie) return { ok: false, reason: "none" };
  const sid = await sessionIdFromCookie(cookie.token, cookie.name, authSecret());
  const principal = sid ? await principalForSession(sid) : null;
  return principal ? { ok: true, principal } : { ok: false, reason: "invalid_session" };
}

export function credentialsOf(req: Request): Credentials {
  return { cookieHeader: req.headers.get("cookie"), authorization: req.headers.get("authorization") };
}

/** For server components and server actions: the signed-in person (cookie only), memoised per request. */
export const getPrincipal = cache(async (): Promise<Principal | null> => {
  const jar = await cookies();
  const cookie = readSessionCookie((name) => jar.get(name)?.value);
  if (!cookie) return null;
  const sid = await sessionIdFromCookie(cookie.token, cookie.name, authSecret());
  return sid ? principalForSession(sid) : null;
});
