import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { BreakerStore, OpenState } from "./breaker";

/**
 * Breaker state on Redis, so one instance's open breaker keeps every instance off a deployment
 * and after the cooldown one probe runs across the cluster (lib/models/breaker.ts).
 *
 * - `<prefix>breaker:<deploymentId>`: the open state as JSON. It outlives `openUntil` by
 *   HALF_OPEN_GRACE_MS, because past `openUntil` the deployment is half-open (still "not closed")
 *   until a probe closes it; a deployment nobody calls for that long simply starts closed again.
 * - `<prefix>breaker-probe:<deploymentId>`: the probe lock, `SET … NX PX ttl` holding a random
 *   token; released only by the holder (compare-and-delete), so a probe that outlived its lock
 *   cannot free a newer prober's.
 *
 * Every method rejects when Redis cannot answer (fast: see lib/models/shared-state.ts for the
 * client's options); DeploymentBreaker then uses this instance's own state until it is back.
 */
export const HALF_OPEN_GRACE_MS = 10 * 60_000;

const StoredOpenState = z.object({
  openUntil: z.number(),
  reason: z.string(),
  rateLimited: z.boolean().optional(),
});

const RELEASE_IF_OWNER = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export class RedisBreakerStore implements BreakerStore {
  readonly kind = "redis" as const;
  /** The tokens of the probe locks this instance holds, by deployment. */
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix = "enclave:",
  ) {}

  private stateKey(id: string): string {
    return `${this.prefix}breaker:${id}`;
  }

  private probeKey(id: string): string {
    return `${this.prefix}breaker-probe:${id}`;
  }

  async read(id: string): Promise<OpenState | null> {
    const raw = await this.redis.get(this.stateKey(id));
    if (raw === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return null;
    }
    const parsed = StoredOpenState.safeParse(json);
    // Something else wrote the key: treat the deployment as closed rather than fail every call.
    return parsed.success ? parsed.data : null;
  }

  async open(id: string, state: OpenState): Promise<void> {
    const ttl = Math.max(1, Math.ceil(state.openUntil - Date.now()) + HALF_OPEN_GRACE_MS);
    const value: OpenState = { openUntil: state.openUntil, reason: state.reason, ...(state.rateLimited !== undefined ? { rateLimited: state.rateLimited } : {}) };
    await this.redis.set(this.stateKey(id), JSON.stringify(value), "PX", ttl);
  }

  async close(id: string): Promise<void> {
    this.tokens.delete(id);
    await this.redis.del(this.stateKey(id), this.probeKey(id));
  }

  async acquireProbe(id: string, ttlMs: number): Promise<boolean> {
    const token = randomUUID();
    const ok = await this.redis.set(this.probeKey(id), token, "PX", Math.max(1, Math.ceil(ttlMs)), "NX");
    if (ok !== "OK") return false;
    this.tokens.set(id, token);
    return true;
  }

  async releaseProbe(id: string): Promise<void> {
    const token = this.tokens.get(id);
    if (token === undefined) return;
    this.tokens.delete(id);
    await this.redis.eval(RELEASE_IF_OWNER, 1, this.probeKey(id), token);
  }
}
