import { describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { readSessionCookie, sessionIdFromCookie } from "./session-cookie";

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
});
