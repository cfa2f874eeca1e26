import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { env } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";

let cached: string | undefined;

/**
 * The key that encrypts session cookies. Set AUTH_SECRET in production (all instances must
 * share it). For the two-command start there is none, so one is generated once and kept
 * beside the embedded database, readable only by its owner.
 */
export function authSecret(): string {
  if (cached) return cached;
  const e = env();
  if (e.AUTH_SECRET) return (cached = e.AUTH_SECRET);
  const dir = resolve(e.ENCLAVE_DATA_DIR);
  const file = join(dir, "auth-secret");
  if (existsSync(file)) {
    cached = readFileSync(file, "utf8").trim();
  } else {
    mkdirSync(dir, { recursive: true });
    cached = randomBytes(32).toString("base64url");
    writeFileSync(file, cached + "\n", { mode: 0o600, flag: "wx" });
    if (e.DATABASE_URL) {
      logger.warn("AUTH_SECRET is not set: generated one in the data directory. Set AUTH_SECRET when running several instances.");
    }
  }
  return cached;
}
