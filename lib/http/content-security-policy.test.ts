import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce } from "./content-security-policy";

const directives = (policy: string) => new Map(policy.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

describe("the pages' Content-Security-Policy", () => {
  it("loads and connects to this origin only, scripts by nonce, and cannot be framed", () => {
    const d = directives(contentSecurityPolicy({ nonce: "abc123==" }));
    expect(d.get("default-src")).toEqual(["'self'"]);
    expect(d.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(d.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(d.get("connect-src")).toEqual(["'self'"]);
    expect(d.get("form-action")).toEqual(["'self'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'none'"]);
    expect(d.has("upgrade-insecure-requests")).toBe(false);
    expect(contentSecurityPolicy({ nonce: "n" })).not.toContain("unsafe-eval");
  });

  it("lets sign-in forms go to the SSO issuer's origin (only its origin), upgrades under HTTPS", () => {
    const d = directives(contentSecurityPolicy({ nonce: "n", oidcIssuer: "https://sso.acme.test/realms/acme?x=1", https: true }));
    expect(d.get("form-action")).toEqual(["'self'", "https://sso.acme.test"]);
    expect(d.has("upgrade-insecure-requests")).toBe(true);
    expect(directives(contentSecurityPolicy({ nonce: "n", oidcIssuer: "not a url" })).get("form-action")).toEqual(["'self'"]);
  });

  it("next dev gets eval and its websocket, production never", () => {
    const d = directives(contentSecurityPolicy({ nonce: "n", dev: true }));
    expect(d.get("script-src")).toContain("'unsafe-eval'");
    expect(d.get("connect-src")).toEqual(["'self'", "ws:", "wss:"]);
  });

  it("a fresh 128-bit nonce each time", () => {
    const a = newNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(newNonce()).not.toBe(a);
  });
});
