import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import { json, withPrincipal } from "./route";

/**
 * The route wrapper refuses a cookie-authenticated change from another origin before anything
 * else runs (no session lookup, no handler), and mints the request id itself.
 */
const APP = "http://localhost:3101";
const saved = { ...process.env };
beforeEach(() => {
  process.env.AUTH_URL = APP;
  process.env.AUTH_SECRET = "route-csrf-test-secret-0123456789";
  resetEnvCache();
});
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

const handler = vi.fn(async () => json({ ok: true }));
const route = withPrincipal(handler, { permission: "signed-in" });
const call = (method: string, headers: Record<string, string>) =>
  route(new Request(`${APP}/api/conversations/c1`, { method, headers }), { params: Promise.resolve({}) });
// Not a real session: a request that gets past the check is answered 401 by the session lookup.
const cookie = "authjs.session-token=not-a-real-session";

describe("cross-site requests to cookie-authenticated routes", () => {
  it("a PATCH/POST/DELETE with the session cookie from another origin is 403 csrf_refused (the handler never runs), and nothing else is", async () => {
    for (const [method, headers] of [
      ["PATCH", { cookie, origin: "http://evil.example" }],
      ["POST", { cookie, origin: "http://evil.example", "content-type": "text/plain" }],
      ["DELETE", { cookie, "sec-fetch-site": "cross-site" }],
      ["POST", { cookie, origin: "null" }],
    ] as const) {
      const res = await call(method, headers);
      expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("csrf_refused");
      expect(body.error.message).toMatch(/another site/);
      expect(res.headers.get("x-request-id")).toBeTruthy();
    }
    expect(handler).not.toHaveBeenCalled();

    // Only those: same-origin, header-less (no browser) and safe-method requests reach the
    // session check (401 here), and so does an API key, which no other site can send.
    for (const [method, headers] of [
      ["PATCH", { cookie, origin: APP, "sec-fetch-site": "same-origin" }],
      ["POST", { cookie }],
      ["GET", { cookie, origin: "http://evil.example", "sec-fetch-site": "cross-site" }],
    ] as const) {
      const res = await call(method, headers);
      expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(401);
    }
    const withKey = await call("POST", { authorization: "Bearer not-a-key", cookie, origin: "http://evil.example" });
    expect(withKey.status).toBe(401);
    expect(((await withKey.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("a blank Authorization header does not exempt a cookie request", async () => {
    const res = await call("POST", { authorization: "  ", cookie, origin: "http://evil.example" });
    expect(res.status).toBe(403);
  });
});

describe("request ids", () => {
  it("are minted by the server; the caller's x-request-id is kept apart as clientRequestId", async () => {
    const probe = withPrincipal(async () => json(null), { permission: "signed-in" });
    const res = await probe(new Request(`${APP}/api/me`, { headers: { "x-request-id": "victims-request-id-1" } }), {
      params: Promise.resolve({}),
    });
    expect(res.status).toBe(401);
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(id).not.toBe("victims-request-id-1");
  });
});
