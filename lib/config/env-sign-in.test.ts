import { afterEach, describe, expect, it } from "vitest";
import { env, resetEnvCache } from "./env";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

function withEnv(vars: Record<string, string>) {
  for (const k of Object.keys(process.env)) if (/^(OIDC_|ENCLAVE_|DATABASE_URL|NODE_ENV$|HOST$)/.test(k)) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
  return env();
}

describe("sign-in environment", () => {
  it("OIDC_TRUST_EMAIL is off unless the operator turns it on", () => {
    expect(withEnv({}).OIDC_TRUST_EMAIL).toBe(false);
    expect(withEnv({ OIDC_TRUST_EMAIL: "true" }).OIDC_TRUST_EMAIL).toBe(true);
    expect(withEnv({ OIDC_TRUST_EMAIL: "false" }).OIDC_TRUST_EMAIL).toBe(false);
    expect(() => withEnv({ OIDC_TRUST_EMAIL: "maybe" })).toThrow(/OIDC_TRUST_EMAIL/);
  });
});

describe("dev sign-in in production", () => {
  const OIDC = { OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "enclave", OIDC_CLIENT_SECRET: "s3cret" };

  it("with NODE_ENV=production and SSO configured, ENCLAVE_DEV_LOGIN=true stops the start-up, naming both variables", () => {
    expect(() => withEnv({ NODE_ENV: "production", ...OIDC, ENCLAVE_DEV_LOGIN: "true" })).toThrow(
      /ENCLAVE_DEV_LOGIN: .*refused in production with SSO configured.*ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION=true/,
    );
    // NODE_ENV unset means production.
    expect(() => withEnv({ ...OIDC, ENCLAVE_DEV_LOGIN: "on" })).toThrow(/ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION/);
  });

  it("the second variable lets it through; so do development, no SSO, or dev sign-in off", () => {
    expect(withEnv({ NODE_ENV: "production", ...OIDC, ENCLAVE_DEV_LOGIN: "true", ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION: "true" }).ENCLAVE_DEV_LOGIN).toBe(true);
    expect(withEnv({ NODE_ENV: "development", ...OIDC, ENCLAVE_DEV_LOGIN: "true" }).ENCLAVE_DEV_LOGIN).toBe(true);
    expect(withEnv({ NODE_ENV: "production", ENCLAVE_DEV_LOGIN: "true" }).ENCLAVE_DEV_LOGIN).toBe(true);
    expect(withEnv({ NODE_ENV: "production", ...OIDC, ENCLAVE_DEV_LOGIN: "false" }).ENCLAVE_DEV_LOGIN).toBe(false);
    expect(withEnv({ NODE_ENV: "production", ...OIDC }).ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION).toBe(false);
    expect(() => withEnv({ ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION: "sure" })).toThrow(/ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION/);
  });
});

describe("ENCLAVE_ORG_DOMAINS", () => {
  it("maps org slugs to the domains the operator vouches for", () => {
    expect(withEnv({}).ENCLAVE_ORG_DOMAINS).toBeUndefined();
    expect(withEnv({ ENCLAVE_ORG_DOMAINS: "acme=Acme.com, acme.co.uk; globex=globex.com;" }).ENCLAVE_ORG_DOMAINS).toEqual({
      acme: ["acme.com", "acme.co.uk"],
      globex: ["globex.com"],
    });
  });

  it("refuses a malformed entry, a non-domain, and one domain given to two orgs", () => {
    expect(() => withEnv({ ENCLAVE_ORG_DOMAINS: "acme" })).toThrow(/ENCLAVE_ORG_DOMAINS: "acme" is not slug=domain/);
    expect(() => withEnv({ ENCLAVE_ORG_DOMAINS: "acme=https://acme.com" })).toThrow(/ENCLAVE_ORG_DOMAINS: "https:\/\/acme.com" is not a domain/);
    expect(() => withEnv({ ENCLAVE_ORG_DOMAINS: "acme=acme.com;globex=acme.com" })).toThrow(/acme.com is given to both acme and globex/);
  });
});
