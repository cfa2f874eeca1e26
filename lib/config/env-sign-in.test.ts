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
