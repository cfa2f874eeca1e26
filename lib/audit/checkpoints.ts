import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { env } from "@/lib/config/env";
import { insertCheckpoint, lastSealed, latestCheckpoint, listCheckpoints, type CheckpointRow } from "@/lib/db/audit-chain";
import { logger } from "@/lib/observability/logger";
import { sha256 } from "@/lib/audit-record/canonical";

/**
 * Signed checkpoints: "org X's chain at seq N has hash H". Ed25519 is the default whenever the
 * operator provides a key pair (`npm run audit:keygen` prints one): anyone holding the exported
 * public key can check the checkpoints, outside Enclave too. Without one, HMAC-SHA256 with a
 * secret key is the fallback; only Enclave itself (holding the secret) can check those. Export
 * them and keep them elsewhere: a chain rewritten after a checkpoint was exported no longer
 * matches it. Checkpoints signed earlier with the HMAC key still verify after a switch to Ed25519
 * as long as that key is still configured (or in the data directory).
 */
type Ed25519Signer = { algorithm: "ed25519"; keyId: string; privateKey: KeyObject; publicKey: KeyObject };
type HmacSigner = { algorithm: "hmac-sha256"; keyId: string; secret: Buffer };
type Signer = Ed25519Signer | HmacSigner;

let cached: Signer | undefined;
let cachedHmac: HmacSigner | null | undefined;

function hmacKeyFile(): string {
  return join(resolve(env().ENCLAVE_DATA_DIR), "audit-signing-key");
}

function hmacSigner(secret: Buffer): HmacSigner {
  return { algorithm: "hmac-sha256", keyId: sha256(`key-id:${secret.toString("hex")}`).slice(0, 16), secret };
}

function hmacSecret(): Buffer {
  const e = env();
  if (e.AUDIT_SIGNING_KEY) return Buffer.from(e.AUDIT_SIGNING_KEY, "utf8");
  const file = hmacKeyFile();
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    if (e.DATABASE_URL) logger.warn("AUDIT_SIGNING_KEY is not set: generated one in the data directory. Set it (the same on every instance).");
  }
  return Buffer.from(readFileSync(file, "utf8").trim(), "utf8");
}

/** The HMAC key, if one exists, without creating one (to check checkpoints signed before a switch to Ed25519). */
function existingHmacSigner(): HmacSigner | null {
  if (cachedHmac !== undefined) return cachedHmac;
  const e = env();
  const file = hmacKeyFile();
  cachedHmac = e.AUDIT_SIGNING_KEY
    ? hmacSigner(Buffer.from(e.AUDIT_SIGNING_KEY, "utf8"))
    : existsSync(file)
      ? hmacSigner(Buffer.from(readFileSync(file, "utf8").trim(), "utf8"))
      : null;
  return cachedHmac;
}

const pemOf = (v: string) => v.replace(/\\n/g, "\n");

function ed25519Signer(privatePem: string, publicPem: string | undefined): Ed25519Signer {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pemOf(privatePem));
  } catch {
    throw new Error("AUDIT_SIGNING_PRIVATE_KEY is not a readable private key (PEM). `npm run audit:keygen` prints a key pair.");
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error(`AUDIT_SIGNING_PRIVATE_KEY is a ${privateKey.asymmetricKeyType ?? "unknown"} key; checkpoints are signed with Ed25519. \`npm run audit:keygen\` prints a key pair.`);
  }
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: "spki", format: "der" });
  if (publicPem) {
    let given: Buffer;
    try {
      given = createPublicKey(pemOf(publicPem)).export({ type: "spki", format: "der" });
    } catch {
      throw new Error("AUDIT_SIGNING_PUBLIC_KEY is not a readable public key (PEM).");
    }
    if (!given.equals(der)) throw new Error("AUDIT_SIGNING_PUBLIC_KEY is not the public half of AUDIT_SIGNING_PRIVATE_KEY.");
  }
  return { algorithm: "ed25519", keyId: sha256(der.toString("hex")).slice(0, 16), privateKey, publicKey };
}

export function signer(): Signer {
  if (cached) return cached;
  const e = env();
  if (e.AUDIT_SIGNING_PRIVATE_KEY) {
    cached = ed25519Signer(e.AUDIT_SIGNING_PRIVATE_KEY, e.AUDIT_SIGNING_PUBLIC_KEY);
  } else {
    if (e.AUDIT_SIGNING_PUBLIC_KEY) throw new Error("AUDIT_SIGNING_PUBLIC_KEY is set without AUDIT_SIGNING_PRIVATE_KEY: set both (npm run audit:keygen).");
    cached = hmacSigner(hmacSecret());
    if (e.DATABASE_URL) {
      logger.warn(
        "Audit checkpoints are signed with HMAC, which only Enclave can check. Run `npm run audit:keygen` and set AUDIT_SIGNING_PRIVATE_KEY (and AUDIT_SIGNING_PUBLIC_KEY) to sign them with Ed25519.",
      );
    }
  }
  return cached;
}

/** Tests swap keys between cases. */
export function resetSigner(): void {
  cached = undefined;
  cachedHmac = undefined;
}

/** A new Ed25519 key pair, as PEM (what `npm run audit:keygen` prints). */
export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const der = publicKey.export({ type: "spki", format: "der" });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    keyId: sha256(der.toString("hex")).slice(0, 16),
  };
}

export function checkpointStatement(orgId: string, seq: bigint, hash: string): string {
  return `enclave-audit-checkpoint:v1:${orgId}:${seq.toString()}:${hash}`;
}

export function signStatement(statement: string, s: Signer = signer()): string {
  if (s.algorithm === "ed25519") return sign(null, Buffer.from(statement), s.privateKey).toString("base64");
  return createHmac("sha256", s.secret).update(statement).digest("base64");
}

export function checkSignature(c: Pick<CheckpointRow, "orgId" | "seq" | "hash" | "signature" | "algorithm" | "keyId">, current: Signer = signer()): boolean {
  // A checkpoint is checked with the key it names: the current one, or the HMAC key it was signed with before a switch.
  const s = current.algorithm === c.algorithm && current.keyId === c.keyId ? current : c.algorithm === "hmac-sha256" ? existingHmacSigner() : null;
  if (!s || s.algorithm !== c.algorithm || s.keyId !== c.keyId) return false;
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
