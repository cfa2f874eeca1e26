import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { env } from "@/lib/config/env";
import { insertCheckpoint, lastSealed, latestCheckpoint, listCheckpoints, type CheckpointRow } from "@/lib/db/audit-chain";
import { logger } from "@/lib/observability/logger";
import { sha256 } from "./canonical";

/**
 * Signed checkpoints: "org X's chain at seq N has hash H". Ed25519 when a private key is
 * configured (anyone holding the exported public key can check them), else HMAC-SHA256 with a
 * secret key. Export them and keep them elsewhere: a chain rewritten after a checkpoint was
 * exported no longer matches it.
 */
type Signer =
  | { algorithm: "ed25519"; keyId: string; privateKey: KeyObject; publicKey: KeyObject }
  | { algorithm: "hmac-sha256"; keyId: string; secret: Buffer };

let cached: Signer | undefined;

function hmacSecret(): Buffer {
  const e = env();
  if (e.AUDIT_SIGNING_KEY) return Buffer.from(e.AUDIT_SIGNING_KEY, "utf8");
  const dir = resolve(e.ENCLAVE_DATA_DIR);
  const file = join(dir, "audit-signing-key");
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    if (e.DATABASE_URL) logger.warn("AUDIT_SIGNING_KEY is not set: generated one in the data directory. Set it (the same on every instance).");
  }
  return Buffer.from(readFileSync(file, "utf8").trim(), "utf8");
}

export function signer(): Signer {
  if (cached) return cached;
  const pem = env().AUDIT_SIGNING_PRIVATE_KEY;
  if (pem) {
    const privateKey = createPrivateKey(pem.replace(/\\n/g, "\n"));
    const publicKey = createPublicKey(privateKey);
    const der = publicKey.export({ type: "spki", format: "der" });
    cached = { algorithm: "ed25519", keyId: sha256(der.toString("hex")).slice(0, 16), privateKey, publicKey };
  } else {
    const secret = hmacSecret();
    cached = { algorithm: "hmac-sha256", keyId: sha256(`key-id:${secret.toString("hex")}`).slice(0, 16), secret };
  }
  return cached;
}

/** Tests swap keys between cases. */
export function resetSigner(): void {
  cached = undefined;
}

export function checkpointStatement(orgId: string, seq: bigint, hash: string): string {
  return `enclave-audit-checkpoint:v1:${orgId}:${seq.toString()}:${hash}`;
}

export function signStatement(statement: string, s: Signer = signer()): string {
  if (s.algorithm === "ed25519") return sign(null, Buffer.from(statement), s.privateKey).toString("base64");
  return createHmac("sha256", s.secret).update(statement).digest("base64");
}

export function checkSignature(c: Pick<CheckpointRow, "orgId" | "seq" | "hash" | "signature" | "algorithm" | "keyId">, s: Signer = signer()): boolean {
  if (c.algorithm !== s.algorithm || c.keyId !== s.keyId) return false;
  const statement = checkpointStatement(c.orgId, c.seq, c.hash);
  if (s.algorithm === "ed25519") return verify(null, Buffer.from(statement), s.publicKey, Buffer.from(c.signature, "base64"));
  const expected = Buffer.from(signStatement(statement, s), "base64");
  const given = Buffer.from(c.signature, "base64");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Signs the org's chain head if it moved since the last checkpoint. */
export async function checkpointOrg(orgId: string): Promise<CheckpointRow | null> {
  const head = await lastSealed(orgId);
  if (!head) return null;
  const prev = await latestCheckpoint(orgId);
  if (prev && prev.seq >= head.seq) return null;
  const s = signer();
  const row = {
    orgId,
    seq: head.seq,
    hash: head.hash,
    algorithm: s.algorithm,
    keyId: s.keyId,
    signature: signStatement(checkpointStatement(orgId, head.seq, head.hash), s),
  };
  await insertCheckpoint(row);
  return { ...row, id: "", createdAt: new Date() };
}

/** For export: the checkpoints and what is needed to check them elsewhere. */
export async function exportCheckpoints(orgId: string) {
  const s = signer();
  const rows = await listCheckpoints(orgId, 10_000);
  return {
    orgId,
    algorithm: s.algorithm,
    keyId: s.keyId,
    ...(s.algorithm === "ed25519" ? { publicKeyPem: s.publicKey.export({ type: "spki", format: "pem" }).toString() } : {}),
    statementFormat: "enclave-audit-checkpoint:v1:<orgId>:<seq>:<hash>",
    checkpoints: rows.map((r) => ({ seq: r.seq.toString(), hash: r.hash, algorithm: r.algorithm, keyId: r.keyId, signature: r.signature, createdAt: r.createdAt.toISOString() })),
  };
}
