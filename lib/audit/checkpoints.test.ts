import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resetEnvCache } from "@/lib/config/env";
import { checkpointStatement, checkSignature, generateSigningKeyPair, resetSigner, signer, signStatement } from "./checkpoints";

const saved = { ...process.env };
let dir: string;

function useEnv(vars: Record<string, string | undefined>) {
  for (const k of ["AUDIT_SIGNING_KEY", "AUDIT_SIGNING_PRIVATE_KEY", "AUDIT_SIGNING_PUBLIC_KEY", "DATABASE_URL"]) delete process.env[k];
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) process.env[k] = v;
  process.env.ENCLAVE_DATA_DIR = dir;
  resetEnvCache();
  resetSigner();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "enclave-keys-"));
});
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
  resetSigner();
  rmSync(dir, { recursive: true, force: true });
});

const row = (s: ReturnType<typeof signer>, seq = 7n) => {
  const c = { orgId: "org1", seq, hash: "ab".repeat(32) };
  return { ...c, algorithm: s.algorithm, keyId: s.keyId, signature: signStatement(checkpointStatement(c.orgId, c.seq, c.hash), s) };
};

describe("audit checkpoint signing", () => {
  it("signs with Ed25519 when given a key pair, and anyone with the public key can check it outside Enclave", () => {
    const pair = generateSigningKeyPair();
    // As an operator pastes them from `npm run audit:keygen`: one line, \n escaped.
    useEnv({ AUDIT_SIGNING_PRIVATE_KEY: pair.privateKeyPem.replace(/\n/g, "\\n"), AUDIT_SIGNING_PUBLIC_KEY: pair.publicKeyPem, AUDIT_SIGNING_KEY: "an-hmac-key-an-hmac-key-0123" });
    const s = signer();
    expect(s).toMatchObject({ algorithm: "ed25519", keyId: pair.keyId });
    const c = row(s);
    expect(verify(null, Buffer.from(checkpointStatement(c.orgId, c.seq, c.hash)), createPublicKey(pair.publicKeyPem), Buffer.from(c.signature, "base64"))).toBe(true);
    expect(checkSignature(c)).toBe(true);
  });

  it("refuses a private key that is not Ed25519, and a public key that is not its pair", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    useEnv({ AUDIT_SIGNING_PRIVATE_KEY: rsa });
    expect(() => signer()).toThrow(/rsa key.*Ed25519.*audit:keygen/);
    useEnv({ AUDIT_SIGNING_PRIVATE_KEY: generateSigningKeyPair().privateKeyPem, AUDIT_SIGNING_PUBLIC_KEY: generateSigningKeyPair().publicKeyPem });
    expect(() => signer()).toThrow(/not the public half/);
  });

  it("falls back to HMAC without a key pair; those checkpoints still verify after switching to Ed25519", () => {
    useEnv({ AUDIT_SIGNING_KEY: "an-hmac-key-an-hmac-key-0123" });
    const hmac = signer();
    expect(hmac.algorithm).toBe("hmac-sha256");
    const old = row(hmac, 3n);
    const pair = generateSigningKeyPair();
    useEnv({ AUDIT_SIGNING_KEY: "an-hmac-key-an-hmac-key-0123", AUDIT_SIGNING_PRIVATE_KEY: pair.privateKeyPem, AUDIT_SIGNING_PUBLIC_KEY: pair.publicKeyPem });
    expect(signer().algorithm).toBe("ed25519");
    expect(checkSignature(old)).toBe(true);
    expect(checkSignature({ ...old, signature: Buffer.from("forged").toString("base64") })).toBe(false);
    expect(checkSignature(row(signer(), 9n))).toBe(true);
  });

  it("npm run audit:keygen prints a working key pair", () => {
    expect(JSON.parse(readFileSync("package.json", "utf8")).scripts["audit:keygen"]).toBe("tsx scripts/audit-keygen.ts");
    const out = execFileSync(join("node_modules", ".bin", "tsx"), ["scripts/audit-keygen.ts"], { encoding: "utf8" });
    const value = (name: string) => JSON.parse(out.match(new RegExp(`^${name}=(".*")$`, "m"))![1]!) as string;
    useEnv({ AUDIT_SIGNING_PRIVATE_KEY: value("AUDIT_SIGNING_PRIVATE_KEY"), AUDIT_SIGNING_PUBLIC_KEY: value("AUDIT_SIGNING_PUBLIC_KEY") });
    expect(signer().algorithm).toBe("ed25519");
    expect(checkSignature(row(signer()))).toBe(true);
  });
});
