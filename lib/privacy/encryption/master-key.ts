import { createHmac, randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { env } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";

export interface MasterKey {
  /** A short public name of the key (an HMAC of it), stored beside what it wraps. */
  id: string;
  key: Buffer;
  source: "ENCLAVE_MASTER_KEY" | "ENCLAVE_MASTER_KEY_PREVIOUS" | "generated";
}

export function decodeMasterKey(value: string): Buffer {
  const key = Buffer.from(value.trim(), /[-_]/.test(value) ? "base64url" : "base64");
  if (key.length !== 32) throw new Error("a master key must be 32 bytes, base64-encoded");
  return key;
}

export function masterKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("enclave master key id").digest("hex").slice(0, 16);
}

function of(key: Buffer, source: MasterKey["source"]): MasterKey {
  return { id: masterKeyId(key), key, source };
}

const FILE = "master-key";

/**
 * The key in the data directory, created once if missing. Written to a temporary file and
 * hard-linked into place, so processes starting together (npm start's cluster) agree on one.
 */
function generatedKey(dataDir: string): Buffer {
  const dir = resolve(dataDir);
  const file = join(dir, FILE);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(tmp, randomBytes(32).toString("base64") + "\n", { mode: 0o600 });
    try {
      linkSync(tmp, file);
      logger.warn(
        { file },
        "ENCLAVE_MASTER_KEY is not set: generated a master key in the data directory. Production must set its own " +
          "(32 random bytes, base64; every instance the same) and keep it apart from the database and its backups.",
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return decodeMasterKey(readFileSync(file, "utf8"));
}

const holder = globalThis as typeof globalThis & { __enclaveMasterKeys?: { dataDir: string; set: string; keys: MasterKey[] } };

/**
 * The master keys this process holds, the one that wraps new keys first: ENCLAVE_MASTER_KEY
 * (else the generated one), then ENCLAVE_MASTER_KEY_PREVIOUS during a rotation.
 */
export function masterKeys(): MasterKey[] {
  const e = env();
  const set = `${e.ENCLAVE_MASTER_KEY ?? ""}|${e.ENCLAVE_MASTER_KEY_PREVIOUS ?? ""}`;
  const cached = holder.__enclaveMasterKeys;
  if (cached && cached.set === set && cached.dataDir === e.ENCLAVE_DATA_DIR) return cached.keys;
  const current = e.ENCLAVE_MASTER_KEY
    ? of(decodeMasterKey(e.ENCLAVE_MASTER_KEY), "ENCLAVE_MASTER_KEY")
    : of(generatedKey(e.ENCLAVE_DATA_DIR), "generated");
  const keys = [current];
  if (e.ENCLAVE_MASTER_KEY_PREVIOUS) {
    const previous = of(decodeMasterKey(e.ENCLAVE_MASTER_KEY_PREVIOUS), "ENCLAVE_MASTER_KEY_PREVIOUS");
    if (previous.id !== current.id) keys.push(previous);
  }
  holder.__enclaveMasterKeys = { dataDir: e.ENCLAVE_DATA_DIR, set, keys };
  return keys;
}
