import type { Redis } from "ioredis";
import { logger } from "@/lib/observability/logger";
import type { CacheKey, CachedResponse, ResponseCache } from "./response-cache";

/**
 * The user-scoped response cache on Redis: `<prefix>cache:<orgId>:<userId>:<digest>` holding the
 * reply's stream parts as JSON, with a PX expiry. Org and user ids are URI-encoded in the key, so
 * a `:` in an id can never make one user's prefix match another's.
 *
 * A cache must never fail a turn: when Redis cannot answer, `get` is a miss and `set` does
 * nothing (the client's own log says Redis is away, once). `purgeUser` (erasure) does reject,
 * so the caller knows that entries may be left until their TTL runs out.
 */
export class RedisResponseCache implements ResponseCache {
  readonly kind = "redis" as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = "enclave:",
  ) {}

  private userPrefix(orgId: string, userId: string): string {
    return `${this.prefix}cache:${encodeURIComponent(orgId)}:${encodeURIComponent(userId)}:`;
  }

  private key(k: CacheKey): string {
    return `${this.userPrefix(k.orgId, k.userId)}${k.digest}`;
  }

  async get(k: CacheKey): Promise<CachedResponse | null> {
    try {
      const raw = await this.redis.get(this.key(k));
      if (raw === null) return null;
      const value = JSON.parse(raw, revive) as CachedResponse;
      return Array.isArray(value?.parts) ? value : null;
    } catch (err) {
      logger.debug({ component: "models", err: (err as Error).message }, "response cache read failed; treated as a miss");
      return null;
    }
  }

  async set(k: CacheKey, value: CachedResponse, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) return;
    try {
      await this.redis.set(this.key(k), JSON.stringify(value, replace), "PX", Math.ceil(ttlMs));
    } catch (err) {
      logger.debug({ component: "models", err: (err as Error).message }, "response cache write failed; not cached");
    }
  }

  /** SCAN MATCH over the user's prefix (never KEYS), deleting in batches as it goes. */
  async purgeUser(orgId: string, userId: string): Promise<number> {
    const match = `${globEscape(this.userPrefix(orgId, userId))}*`;
    let cursor = "0";
    let removed = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", match, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) removed += await this.redis.unlink(...keys);
    } while (cursor !== "0");
    return removed;
  }
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}

// Stream parts may carry a Date (response-metadata's timestamp) or bytes (file parts); JSON
// alone would hand them back as strings and plain objects.
const DATE = "$enclave:date";
const BYTES = "$enclave:bytes";

function replace(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { [DATE]: raw.toISOString() };
  if (raw instanceof Uint8Array) return { [BYTES]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64") };
  return value;
}

function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (typeof o[DATE] === "string" && Object.keys(o).length === 1) return new Date(o[DATE]);
    if (typeof o[BYTES] === "string" && Object.keys(o).length === 1) return new Uint8Array(Buffer.from(o[BYTES], "base64"));
  }
  return value;
}
