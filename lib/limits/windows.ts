import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from "rate-limiter-flexible";
import type { RedisHealth } from "./shared-redis-health";

/**
 * Per-minute counters (requests, tokens) keyed by org or org+user. With Redis they live there
 * (RateLimiterRedis, one fixed window per key shared by every instance) with an in-memory
 * insurance limiter that answers while Redis is unreachable; without Redis, in memory.
 *
 * The limiters themselves never refuse: each key's limit is resolved per person (overrides), so
 * a counter only counts (its points are above any allowed limit) and admission compares.
 */
export const WINDOW_SECONDS = 60;
const CEILING = 2_000_000_000; // above MAX_LIMIT plus one turn's worth

export type WindowKind = "requests" | "tokens";

export interface WindowCount {
  /** What the key holds in the current window, this addition included. */
  used: number;
  /** Until the window resets. */
  msBeforeNext: number;
}

class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    opts: { points: number; duration: number; keyPrefix: string },
    private readonly onUse: () => void,
  ) {
    super(opts);
  }
  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.onUse();
    return super.consume(key, points, options);
  }
  override penalty(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.onUse();
    return super.penalty(key, points, options);
  }
  override reward(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.onUse();
    return super.reward(key, points, options);
  }
  override get(key: string | number, options?: { [key: string]: unknown }) {
    this.onUse();
    return super.get(key, options);
  }
}

export class MinuteWindows {
  private readonly limiters: Record<WindowKind, RateLimiterAbstract>;
  private readonly insurance: Partial<Record<WindowKind, RateLimiterMemory>> = {};

  constructor(opts: { redis: Redis | null; prefix: string; health: RedisHealth }) {
    const make = (kind: WindowKind): RateLimiterAbstract => {
      const base = { points: CEILING, duration: WINDOW_SECONDS, keyPrefix: `${opts.prefix}:${kind}` };
      if (!opts.redis) return new RateLimiterMemory(base);
      const insurance = (this.insurance[kind] = new InsuranceLimiter(base, () => opts.health.fellBack()));
      return new RateLimiterRedis({
        ...base,
        storeClient: opts.redis,
        // Not ready (reconnecting): straight to the insurance limiter, no command attempted.
        rejectIfRedisNotReady: true,
        insuranceLimiter: insurance,
      });
    };
    this.limiters = { requests: make("requests"), tokens: make("tokens") };
  }

  async add(kind: WindowKind, key: string, points: number): Promise<WindowCount> {
    return count(await this.limiters[kind].consume(key, points));
  }

  /** Takes back part of an addition (a refused turn, a reservation larger than what was used). */
  async subtract(kind: WindowKind, key: string, points: number): Promise<void> {
    if (points > 0) await this.limiters[kind].reward(key, points);
  }

  /** Forgets a key in every window (an erasure): on Redis and in the insurance limiter alike. */
  async forget(key: string): Promise<void> {
    for (const kind of ["requests", "tokens"] as const) {
      await this.limiters[kind].delete(key);
      await this.insurance[kind]?.delete(key);
    }
  }

  async peek(kind: WindowKind, key: string): Promise<WindowCount> {
    const r = await this.limiters[kind].get(key);
    return r ? count(r) : { used: 0, msBeforeNext: WINDOW_SECONDS * 1000 };
  }
}

function count(r: RateLimiterRes): WindowCount {
  return { used: r.consumedPoints, msBeforeNext: Math.max(0, r.msBeforeNext) };
}
