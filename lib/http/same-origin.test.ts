import { describe, expect, it } from "vitest";
import { crossSiteRefusal, sameOriginPath } from "./same-origin";

const APP = "https://enclave.acme.test";
const req = (method: string, headers: Record<string, string> = {}) => ({ method, headers: new Headers(headers) });

describe("cross-site requests (the CSRF check of cookie-authenticated routes)", () => {
  it("refuses a change whose Origin is another site, a sibling on the same site, or null", () => {
    for (const origin of ["https://evil.example", "https://wiki.acme.test", "http://enclave.acme.test", "https://enclave.acme.test:8443", "null"]) {
      expect(crossSiteRefusal(req("POST", { origin }), APP), origin).toMatch(/^Origin: /);
    }
    expect(crossSiteRefusal(req("PATCH", { origin: "https://evil.example" }), APP)).toBe("Origin: https://evil.example");
    expect(crossSiteRefusal(req("DELETE", { origin: "https://evil.example" }), APP)).not.toBeNull();
  });

  it("refuses what the browser itself calls cross-site or same-site, Origin or not", () => {
    expect(crossSiteRefusal(req("POST", { "sec-fetch-site": "cross-site" }), APP)).toBe("Sec-Fetch-Site: cross-site");
    expect(crossSiteRefusal(req("POST", { "sec-fetch-site": "same-site", origin: APP }), APP)).toBe("Sec-Fetch-Site: same-site");
  });

  it("lets through the app's own pages, and requests that come from no browser (neither header)", () => {
    expect(crossSiteRefusal(req("POST", { origin: APP, "sec-fetch-site": "same-origin" }), APP)).toBeNull();
    expect(crossSiteRefusal(req("POST", { origin: `${APP}/` }), APP)).toBeNull();
    expect(crossSiteRefusal(req("POST", { "sec-fetch-site": "same-origin" }), APP)).toBeNull();
    expect(crossSiteRefusal(req("POST"), APP)).toBeNull();
  });

  it("never checks GET, HEAD or OPTIONS", () => {
    for (const m of ["GET", "HEAD", "OPTIONS", "get"]) {
      expect(crossSiteRefusal(req(m, { origin: "https://evil.example", "sec-fetch-site": "cross-site" }), APP)).toBeNull();
    }
  });

  it("without AUTH_URL, compares the Origin's host with the Host the request came in on", () => {
    expect(crossSiteRefusal(req("POST", { origin: "http://localhost:3000", host: "localhost:3000" }), null)).toBeNull();
    expect(crossSiteRefusal(req("POST", { origin: "https://enclave.acme.test", host: "10.0.0.5:3000", "x-forwarded-host": "enclave.acme.test" }), null)).toBeNull();
    expect(crossSiteRefusal(req("POST", { origin: "http://evil.example", host: "localhost:3000" }), null)).toBe("Origin: http://evil.example");
    expect(crossSiteRefusal(req("POST", { origin: "not a url", host: "localhost:3000" }), null)).not.toBeNull();
    expect(crossSiteRefusal(req("POST", { origin: "http://localhost:3000" }), null)).not.toBeNull();
  });
});

describe("redirect targets (callbackUrl, …) stay on the app's own origin", () => {
  it("refuses anything a browser would take to another host, however it is spelled", () => {
    for (const raw of [
      "/\t/evil.example",
      "/\n/evil.example",
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      " //evil.example",
      "https://evil.example/chat",
      "http://enclave.acme.test/chat",
      "https://enclave.acme.test.evil.example/",
      "https://user@evil.example",
      "javascript:alert(1)",
      "data:text/html,hi",
      "/.//evil.example",
      "/chat/..//evil.example",
    ]) {
      expect(sameOriginPath(raw, APP), JSON.stringify(raw)).toBe("/");
    }
  });

  it("keeps paths on this app, as the browser will read them", () => {
    expect(sameOriginPath("/chat/abc?x=1#y", APP)).toBe("/chat/abc?x=1#y");
    expect(sameOriginPath(`${APP}/settings/keys`, APP)).toBe("/settings/keys");
    expect(sameOriginPath("/chat/../settings", APP)).toBe("/settings");
    expect(sameOriginPath("/a b", APP)).toBe("/a%20b");
    expect(sameOriginPath("/chat\r\nSet-Cookie: x=1", APP)).toBe("/chatSet-Cookie:%20x=1");
  });

  it("without AUTH_URL only relative targets can be this app; nothing else is a target", () => {
    expect(sameOriginPath("/chat", null)).toBe("/chat");
    expect(sameOriginPath("https://enclave.acme.test/chat", null)).toBe("/");
    expect(sameOriginPath("/\t/evil.example", null)).toBe("/");
    for (const raw of [undefined, null, 42, "", "/" + "a".repeat(5000)]) expect(sameOriginPath(raw, APP)).toBe("/");
  });
});
