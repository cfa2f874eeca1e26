import { createHash, randomBytes } from "node:crypto";

/**
 * Personal API keys: `enc_<8-char prefix>_<32 random bytes, base64url>`. The prefix identifies the
 * key in lists; only the SHA-256 of the whole key is stored (keys are random, so a fast hash is
 * enough: there is nothing to brute-force).
 */
const KEY_RE = /^enc_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefixId = randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 8);
  const key = `enc_${prefixId}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix: `enc_${prefixId}`, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function looksLikeApiKey(s: string): boolean {
  return KEY_RE.test(s);
}
