import { afterEach, describe, expect, it } from "vitest";
import { env, isDevLoginEnabled, isOidcConfigured, resetEnvCache } from "./env";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

function withEnv(vars: Record<string, string>) {
  for (const k of Object.keys(process.env)) if (/^(OIDC_|ENCLAVE_DEV_LOGIN|DATABASE_URL|OPENAI_|MODEL_)/.test(k)) delete process.env[k];
  Object.assign(process.env, vars);
  resetEnvCache();
  return env();
}

const OIDC = { OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "enclave", OIDC_CLIENT_SECRET: "s3cret" };

describe("environment", () => {
  it("dev sign-in is on by default on the embedded database without SSO", () => {
    expect(isDevLoginEnabled(withEnv({}))).toBe(true);
  });

  it("dev sign-in turns off once SSO is configured, unless forced on", () => {
    expect(isDevLoginEnabled(withEnv(OIDC))).toBe(false);
    expect(isOidcConfigured(withEnv(OIDC))).toBe(true);
    expect(isDevLoginEnabled(withEnv({ ...OIDC, ENCLAVE_DEV_LOGIN: "true" }))).toBe(true);
  });

  it("dev sign-in is off on PostgreSQL unless asked for, and can always be turned off", () => {
    expect(isDevLoginEnabled(withEnv({ DATABASE_URL: "postgresql://localhost/enclave" }))).toBe(false);
    expect(isDevLoginEnabled(withEnv({ DATABASE_URL: "postgresql://localhost/enclave", ENCLAVE_DEV_LOGIN: "1" }))).toBe(true);
    expect(isDevLoginEnabled(withEnv({ ENCLAVE_DEV_LOGIN: "false" }))).toBe(false);
  });

  it("half-configured SSO is not SSO", () => {
    expect(isOidcConfigured(withEnv({ OIDC_ISSUER: "https://idp.example.com" }))).toBe(false);
  });

  it("empty strings count as unset", () => {
    expect(withEnv({ DATABASE_URL: "", OPENAI_BASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("a bad value fails loudly, naming the variable", () => {
    expect(() => withEnv({ DATABASE_URL: "mysql://nope" })).toThrow(/DATABASE_URL/);
    expect(() => withEnv({ MAX_MESSAGE_BYTES: "lots" })).toThrow(/MAX_MESSAGE_BYTES/);
  });

  it("LOG_FORMAT is json or pretty, or unset (chosen by the logger)", () => {
    delete process.env.LOG_FORMAT;
    expect(withEnv({}).LOG_FORMAT).toBeUndefined();
    expect(withEnv({ LOG_FORMAT: "pretty" }).LOG_FORMAT).toBe("pretty");
    expect(() => withEnv({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT/);
  });

  it("defaults: 32 KB messages, 2 retries", () => {
    const e = withEnv({});
    expect(e.MAX_MESSAGE_BYTES).toBe(32 * 1024);
    expect(e.MODEL_MAX_RETRIES).toBe(2);
  });
});
