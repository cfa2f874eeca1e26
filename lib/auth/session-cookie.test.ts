import { Auth } from "@auth/core";
import Credentials from "@auth/core/providers/credentials";
import { describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { HOST_SESSION_COOKIE, readSessionCookie, sessionCookieConfig, sessionCookieNames, sessionIdFromCookie } from "./session-cookie";

const secret = "test-secret-test-secret-test-secret";
const salt = "authjs.session-token";

async function token(claims: Record<string, unknown>, maxAge = 3600, s = secret, name = salt) {
  return encode({ token: claims, secret: s, salt: name, maxAge });
}

describe("session cookie", () => {
  it("yields the session id of a genuine cookie", async () => {
    const t = await token({ sid: "sess-1", sub: "u1" });
    expect(await sessionIdFromCookie(t, salt, secret)).toBe("sess-1");
    expect(await sessionIdFromCookie(t, salt, secret)).toBe("sess-1"); // memoised path
  });

  it("rejects a tampered cookie, one made with another secret, or under another cookie name", async () => {
    const t = await token({ sid: "sess-2" });
    const tampered = t.slice(0, -4) + (t.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await sessionIdFromCookie(tampered, salt, secret)).toBeNull();
    expect(await sessionIdFromCookie(await token({ sid: "x" }, 3600, "another-secret-another-secret-xx"), salt, secret)).toBeNull();
    expect(await sessionIdFromCookie(t, "__Secure-authjs.session-token", secret)).toBeNull();
    expect(await sessionIdFromCookie("garbage", salt, secret)).toBeNull();
  });

  it("rejects an expired cookie, also once memoised", async () => {
    const t = await token({ sid: "sess-3" }, 60);
    expect(await sessionIdFromCookie(t, salt, secret)).toBe("sess-3");
    expect(await sessionIdFromCookie(t, salt, secret, Date.now() + 61_000)).toBeNull();
  });

  it("a cookie without a session id (e.g. from another app on the host) is no session", async () => {
    expect(await sessionIdFromCookie(await token({ sub: "u1" }), salt, secret)).toBeNull();
  });

  it("reads whole and chunked cookies, secure name first", () => {
    const jar: Record<string, string> = { "authjs.session-token.0": "abc", "authjs.session-token.1": "def" };
    expect(readSessionCookie((n) => jar[n])).toEqual({ name: "authjs.session-token", token: "abcdef" });
    jar["__Secure-authjs.session-token"] = "zzz";
    expect(readSessionCookie((n) => jar[n])).toEqual({ name: "__Secure-authjs.session-token", token: "zzz" });
    expect(readSessionCookie(() => undefined)).toBeNull();
  });

  it("served over HTTPS, the session cookie is __Host- (Secure, path /, no Domain) and the only name read", async () => {
    const https = "https://enclave.acme.test";
    expect(sessionCookieConfig(https)).toEqual({
      sessionToken: { name: "__Host-authjs.session-token", options: { httpOnly: true, sameSite: "lax", path: "/", secure: true } },
    });
    expect(sessionCookieConfig("http://localhost:3000")).toBeUndefined();
    expect(sessionCookieNames(https)).toEqual([HOST_SESSION_COOKIE]);

    const jar: Record<string, string> = { "authjs.session-token": "plain", "__Secure-authjs.session-token": "secure" };
    expect(readSessionCookie((n) => jar[n], sessionCookieNames(https))).toBeNull();
    jar["__Host-authjs.session-token.0"] = "ho";
    jar["__Host-authjs.session-token.1"] = "st";
    expect(readSessionCookie((n) => jar[n], sessionCookieNames(https))).toEqual({ name: HOST_SESSION_COOKIE, token: "host" });
    // Over plain HTTP (a browser keeps no __Host- cookie there) the usual names, as before.
    expect(readSessionCookie((n) => jar[n], sessionCookieNames("http://localhost:3000"))).toEqual({ name: "__Secure-authjs.session-token", token: "secure" });

    // The cookie's name is its key's salt: one made for __Host- opens only under that name.
    const t = await token({ sid: "sess-host" }, 3600, secret, HOST_SESSION_COOKIE);
    expect(await sessionIdFromCookie(t, HOST_SESSION_COOKIE, secret)).toBe("sess-host");
    expect(await sessionIdFromCookie(t, "authjs.session-token", secret)).toBeNull();
  });

  it("Auth.js, given that config, sets the session as __Host-authjs.session-token over HTTPS", async () => {
    const base = "https://enclave.acme.test/api/auth";
    const config = {
      basePath: "/api/auth",
      secret,
      trustHost: true,
      session: { strategy: "jwt" as const },
      cookies: sessionCookieConfig("https://enclave.acme.test"),
      providers: [Credentials({ id: "dev", credentials: { email: {} }, authorize: () => ({ id: "u1", email: "a@acme.test" }) })],
    };
    const csrf = await Auth(new Request(`${base}/csrf`), config);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const res = await Auth(
      new Request(`${base}/callback/dev`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
        body: new URLSearchParams({ csrfToken, email: "a@acme.test" }),
      }),
      config,
    );
    const session = res.headers.getSetCookie().find((c) => c.includes("session-token="));
    expect(session).toMatch(/^__Host-authjs\.session-token=/);
    expect(session).toMatch(/; Path=\//i);
    expect(session).toMatch(/; Secure/i);
    expect(session).not.toMatch(/Domain=/i);
  });
});
