import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { devLoginOn, forwardIpv6Loopback, listenPlan } from "./listen.mjs";

const OIDC = { OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "enclave", OIDC_CLIENT_SECRET: "s3cret" };

describe("where npm start listens", () => {
  it("dev sign-in on (the embedded default, or forced): loopback only, and the start-up line says so", () => {
    for (const env of [{}, { ENCLAVE_DEV_LOGIN: "true" }, { ...OIDC, ENCLAVE_DEV_LOGIN: "1" }, { DATABASE_URL: "postgresql://db/x", ENCLAVE_DEV_LOGIN: "yes" }]) {
      expect(devLoginOn(env)).toBe(true);
      const plan = listenPlan(env, "3000");
      expect(plan).toMatchObject({ host: "127.0.0.1", loopback: true });
      expect(plan.line).toMatch(/Dev sign-in is on: listening on localhost only \(127\.0\.0\.1 and ::1, port 3000\)\. Set HOST/);
    }
  });

  it("dev sign-in off (SSO, PostgreSQL, or turned off): Next's default, every interface", () => {
    for (const env of [OIDC, { DATABASE_URL: "postgresql://db/x" }, { ENCLAVE_DEV_LOGIN: "false" }, { ENCLAVE_DEV_LOGIN: "off" }]) {
      expect(devLoginOn(env)).toBe(false);
      expect(listenPlan(env, "3000")).toEqual({ host: null, loopback: false, line: null });
    }
  });

  it("an explicit HOST wins, and with dev sign-in on the line warns", () => {
    expect(listenPlan({ HOST: "0.0.0.0" }, "8080")).toMatchObject({ host: "0.0.0.0", loopback: false });
    expect(listenPlan({ HOST: "0.0.0.0" }, "8080").line).toMatch(/HOST=0\.0\.0\.0.*anyone who can reach it can sign in as any user/);
    expect(listenPlan({ ...OIDC, HOST: "10.0.0.5" }, "8080")).toEqual({ host: "10.0.0.5", loopback: false, line: null });
    // Empty counts as unset, as everywhere in the environment.
    expect(listenPlan({ HOST: "" }, "3000")).toMatchObject({ host: "127.0.0.1", loopback: true });
  });

  it("an unreadable ENCLAVE_DEV_LOGIN counts as on here (the server refuses it at start-up)", () => {
    expect(devLoginOn({ ENCLAVE_DEV_LOGIN: "maybe", ...OIDC })).toBe(true);
  });
});

describe("the IPv6 loopback forwarder", () => {
  const servers: Array<{ close(): unknown }> = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it("serves [::1]:port from the server on 127.0.0.1:port", async () => {
    const app: Server = createServer((_req, res) => res.end("from 127.0.0.1"));
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    servers.push(app);
    const { port } = app.address() as AddressInfo;
    const forwarder = forwardIpv6Loopback(String(port));
    servers.push(forwarder);
    await new Promise<void>((r) => (forwarder.listening ? r() : forwarder.once("listening", r)));
    const res = await fetch(`http://[::1]:${port}/`);
    expect(await res.text()).toBe("from 127.0.0.1");
  });
});
