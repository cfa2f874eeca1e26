import { createHash } from "node:crypto";
import type { LanguageModelV4StreamPart } from "@ai-sdk/provider";

/**
 * Cached model responses, never shared across users: the key hashes the org, the user, the
 * deployment's model, the whole prompt and the call's parameters, and every key lives under its
 * owner's prefix, so one user's inputs can never poison another's answers and an erasure can
 * purge one user's entries. In memory (a bounded LRU) by default; on Redis when configured.
 */
export interface CachedResponse {
  parts: LanguageModelV4StreamPart[];
}

export interface ResponseCache {
  readonly kind: "memory" | "redis";
  get(key: CacheKey): Promise<CachedResponse | null>;
  set(key: CacheKey, value: CachedResponse, ttlMs: number): Promise<void>;
  /** Removes every entry of one user; returns how many went. */
  purgeUser(orgId: string, userId: string): Promise<number>;
}

export interface CacheKey {
  orgId: string;
  userId: string;
  /** sha256 of model, prompt and parameters. */
  digest: string;
}

export function cacheKey(orgId: string, userId: string, model: string, callOptions: unknown): CacheKey {
  const digest = createHash("sha256").update(JSON.stringify([orgId, userId, model, callOptions])).digest("hex");
  return { orgId, userId, digest };
}

export class MemoryResponseCache implements ResponseCache {
  readonly kind = "memory" as const;
  private readonly entries = new Map<string, { value: CachedResponse; expires: number }>();

  constructor(private readonly maxEntries = 5_000) {}

  private id(k: CacheKey): string {
    return `${k.orgId}:${k.userId}:${k.digest}`;
  }

  async get(k: CacheKey): Promise<CachedResponse | null> {
    const id = this.id(k);
    const e = this.entries.get(id);
    if (!e) return null;
    this.entries.delete(id);
    if (e.expires <= Date.now()) return null;
    this.entries.set(id, e); // most recently used goes last
    return e.value;
  }

  async set(k: CacheKey, value: CachedResponse, ttlMs: number): Promise<void> {
    const id = this.id(k);
    this.entries.delete(id);
    this.entries.set(id, { value, expires: Date.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async purgeUser(orgId: string, userId: string): Promise<number> {
    const prefix = `${orgId}:${userId}:`;
    let n = 0;
    for (const id of [...this.entries.keys()]) {
      if (id.startsWith(prefix)) {
        this.entries.delete(id);
        n++;
      }
    }
    return n;
  }
}
