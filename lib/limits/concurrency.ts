import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RedisHealth } from "./shared-redis-health";

/**
 * Concurrent turns per person. With Redis: a sorted set per person of turn leases scored by
 * expiry, renewed by a heartbeat while the turn runs, so a crashed instance's turns stop counting
 * once their lease lapses (LEASE_TTL_MS). Taking a slot is one Lua script (drop lapsed leases,
 * count, add), atomic across instances. Without Redis, or while it is unreachable, a count in
 * this process.
 */
export const LEASE_TTL_MS = 30_000;
const HEARTBEAT_MS = 10_000;

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[4]) then return n end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return -1
`;

type RedisWithLease = Redis & {
  enclaveLeaseAcquire(key: string, now: number, expiry: number, lease: string, cap: number, ttl: number): Promise<number>;
};

export type SlotResult = { ok: true; release: () => void } | { ok: false; running: number };

interface Lease {
  key: string;
  id: string;
}

export class TurnSlots {
  private readonly local = new Map<string, number>();
  private readonly leases = new Set<Lease>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly opts: { redis: Redis | null; prefix: string; health: RedisHealth; leaseTtlMs?: number },
  ) {
    const r = opts.redis as (Redis & { enclaveLeaseAcquire?: unknown }) | null;
    if (r && typeof r.enclaveLeaseAcquire !== "function") r.defineCommand("enclaveLeaseAcquire", { numberOfKeys: 1, lua: ACQUIRE });
  }

  private get ttl(): number {
    return this.opts.leaseTtlMs ?? LEASE_TTL_MS;
  }

  /** Takes one of the person's `cap` slots, or says how many turns are running. */
  async acquire(who: string, cap: number): Promise<SlotResult> {
    const redis = this.opts.redis as RedisWithLease | null;
    if (redis && redis.status === "ready") {
      const key = this.keyOf(who);
      const id = randomUUID();
      const now = Date.now();
      try {
        const n = await redis.enclaveLeaseAcquire(key, now, now + this.ttl, id, cap, this.ttl);
        this.opts.health.succeeded();
        if (n >= 0) return { ok: false, running: n };
        const lease = { key, id };
        this.leases.add(lease);
        this.startHeartbeat();
        let done = false;
        return {
          ok: true,
          release: () => {
            if (done) return;
            done = true;
            this.leases.delete(lease);
            // A lost release only means the lease lapses by itself.
            void redis.zrem(key, id).catch(() => {});
          },
        };
      } catch (err) {
        this.opts.health.fellBack(err);
      }
    } else if (redis) {
      this.opts.health.fellBack();
    }
    return this.acquireLocal(who, cap);
  }

  private acquireLocal(who: string, cap: number): SlotResult {
    const n = this.local.get(who) ?? 0;
    if (n >= cap) return { ok: false, running: n };
    this.local.set(who, n + 1);
    let done = false;
    return {
      ok: true,
      release: () => {
        if (done) return;
        done = true;
        const left = (this.local.get(who) ?? 1) - 1;
        if (left <= 0) this.local.delete(who);
        else this.local.set(who, left);
      },
    };
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      const redis = this.opts.redis;
      if (this.leases.size === 0 || !redis) {
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = null;
        return;
      }
      const expiry = Date.now() + this.ttl;
      const p = redis.pipeline();
      for (const l of this.leases) {
        p.zadd(l.key, "XX", expiry, l.id);
        p.pexpire(l.key, this.ttl);
      }
      void p.exec().catch(() => {});
    }, Math.min(HEARTBEAT_MS, Math.floor(this.ttl / 3)));
    this.heartbeat.unref();
  }

  /** Forgets a person's slots (an erasure): their Redis key and this process's count. */
  async forget(who: string): Promise<void> {
    const key = this.keyOf(who);
    this.local.delete(who);
    for (const l of [...this.leases]) if (l.key === key) this.leases.delete(l);
    await this.opts.redis?.del(key);
  }

  private keyOf(who: string): string {
    return `${this.opts.prefix}:turns:${who}`;
  }

  /** Stops the heartbeat (tests, shutdown); held leases then lapse by themselves. */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
