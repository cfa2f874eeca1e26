import { decode } from "next-auth/jwt";
import { env } from "@/lib/config/env";

/**
 * The session cookie → server-side session id, without the rest of Auth.js's request
 * machinery (which re-derives keys and rebuilds its config on every call). The cookie is an
 * Auth.js JWE; decoding it authenticates it. Decoding is pure: the same cookie always yields the
 * same id until it expires, so results are memoised. Whether that session is still alive (not
 * revoked, user not disabled) is checked in the database on every request, never cached.
 */
export const SESSION_COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

/**
 * Where Enclave is served over HTTPS (AUTH_URL https) the session cookie is `__Host-`: the
 * browser keeps it only if it is Secure, for path /, with no Domain, so neither a sibling
 * subdomain nor a plain-HTTP page on the host can plant or overwrite it. There it is the only
 * name accepted; a cookie under any other name is no session.
 */
export const HOST_SESSION_COOKIE = "__Host-authjs.session-token";

function servedOverHttps(authUrl: string | undefined): boolean {
  return authUrl?.toLowerCase().startsWith("https:") ?? false;
}

/** The names a session cookie is read under, in order. */
export function sessionCookieNames(authUrl: string | undefined = env().AUTH_URL): readonly string[] {
  return servedOverHttps(authUrl) ? [HOST_SESSION_COOKIE] : SESSION_COOKIE_NAMES;
}

/** Auth.js's `cookies` option: the `__Host-` session cookie under HTTPS, else Auth.js's defaults. */
export function sessionCookieConfig(authUrl: string | undefined = env().AUTH_URL) {
  if (!servedOverHttps(authUrl)) return undefined;
  return {
    sessionToken: {
      name: HOST_SESSION_COOKIE,
      options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: true },
    },
  };
}

interface Decoded {
  sid: string;
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;
const memo = new Map<string, Decoded | null>();

function remember(key: string, value: Decoded | null): void {
  if (memo.size >= MAX_ENTRIES) {
    // Oldest first: Map iterates in insertion order.
    const first = memo.keys().next().value;
    if (first !== undefined) memo.delete(first);
  }
  memo.set(key, value);
}

export async function sessionIdFromCookie(
  token: string,
  cookieName: string,
  secret: string,
  now = Date.now(),
): Promise<string | null> {
  const key = `${cookieName}\u0000${token}`;
  let entry = memo.get(key);
  if (entry === undefined) {
    let decoded: Decoded | null = null;
    try {
      const payload = await decode({ token, secret, salt: cookieName });
      if (payload && typeof payload.sid === "string" && typeof payload.exp === "number") {
        decoded = { sid: payload.sid, expiresAt: payload.exp * 1000 };
      }
    } catch {
      decoded = null; // tampered, truncated, or encrypted with another secret
    }
    remember(key, decoded);
    entry = decoded;
  }
  if (!entry || entry.expiresAt <= now) return null;
  return entry.sid;
}

/** Auth.js splits cookies over 4 KB into name.0, name.1, …; ours are small but accept both. */
export function readSessionCookie(
  get: (name: string) => string | undefined,
  names: readonly string[] = sessionCookieNames(),
): { name: string; token: string } | null {
  for (const name of names) {
    const whole = get(name);
    if (whole) return { name, token: whole };
    let token = "";
    for (let i = 0; ; i++) {
      const part = get(`${name}.${i}`);
      if (!part) break;
      token += part;
    }
    if (token) return { name, token };
  }
  return null;
}
