import type { Redis } from "ioredis";
import { auditBacklogState, type AuditBacklogState } from "@/lib/audit/step-writer";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db";
import type { CallGuard } from "@/lib/models/gateway";
import { createRedisClient, sharedRedisUrl } from "@/lib/models/shared-state";
import type { Principal } from "@/lib/principal";
import { TurnSlots } from "./concurrency";
import { auditBehindRefusal, limitRefusal } from "./refusals";
import { defaultLimits, resolveLimits, type OverrideLike, type ResolvedLimits } from "./resolve";
import { RedisHealth } from "./shared-redis-health";
import { OPEN_GUARD, TokenGuard, type TokenBudget } from "./token-guard";
import { MinuteWindows } from "./windows";

/**
 * Admission: may this person start a chat turn now? The first stage of every turn, browser and
 * /v1 alike (lib/chat calls admitTurn). In order: the audit writer is not behind (503 otherwise);
 * requests per minute, the user's and the org's (one turn = one request however many model calls
 * it makes); tokens per minute not already used up; a concurrency slot. A refusal throws
 * AppError("rate_limited", …) with the limit that was hit and when to send again, and counts
 * nothing. An admitted turn gets a guard (tokens per minute for each of its model calls, passed
 * to the gateway as GatewayCall.guard) and release() (frees its slot; call it once the turn's
 * `done` settles; calling it again does nothing).
 *
 * Limits are resolved per person from the environment and the org's overrides (role < team <
 * user), cached for OVERRIDES_TTL_MS so admission costs a Redis round trip or two, not a query;
 * an override change applies within that window everywhere (at once on the instance that made it).
 */
export interface TurnAdmission {
  guard: CallGuard;
  release(): void;
  /** What applied (for traces and tests). */
  limits: ResolvedLimits;
}

export const OVERRIDES_TTL_MS = 5_000;

export interface AdmissionOptions {
  redis: Redis | null;
  /** Redis key prefix; tests give each run its own. */
  prefix?: string;
  leaseTtlMs?: number;
  defaults?: () => ResolvedLimits;
  overrides?: (p: Principal) => Promise<readonly OverrideLike[]>;
  backlog?: () => AuditBacklogState;
  /** Counters and slots made elsewhere (the process's, shared by its module graphs). */
  stores?: AdmissionStores;
}

/** What admission counts with: state, never errors, so one set can serve every module graph. */
export interface AdmissionStores {
  health: RedisHealth;
  windows: MinuteWindows;
  slots: TurnSlots;
}

export function admissionStores(redis: Redis | null, opts: { prefix?: string; leaseTtlMs?: number } = {}): AdmissionStores {
  const prefix = opts.prefix ?? "enclave:limits";
  const health = new RedisHealth(redis);
  return {
    health,
    windows: new MinuteWindows({ redis, prefix, health }),
    slots: new TurnSlots({ redis, prefix, health, leaseTtlMs: opts.leaseTtlMs }),
  };
}

export class Admission {
  readonly health: RedisHealth;
  readonly windows: MinuteWindows;
  readonly slots: TurnSlots;
  private readonly cache = new Map<string, { until: number; value: Promise<readonly OverrideLike[]> }>();

  constructor(private readonly opts: AdmissionOptions) {
    const stores = opts.stores ?? admissionStores(opts.redis, { prefix: opts.prefix, leaseTtlMs: opts.leaseTtlMs });
    this.health = stores.health;
    this.windows = stores.windows;
    this.slots = stores.slots;
  }

  get redis(): Redis | null {
    return this.opts.redis;
  }

  /** The limits that apply to this person now. */
  async limitsFor(p: Principal): Promise<ResolvedLimits> {
    const defaults = (this.opts.defaults ?? (() => defaultLimits(env())))();
    return resolveLimits(defaults, await this.overrides(p), p).limits;
  }

  private overrides(p: Principal): Promise<readonly OverrideLike[]> {
    const hit = this.cache.get(p.orgId);
    if (hit && hit.until > Date.now()) return hit.value;
    const load = this.opts.overrides ?? ((q: Principal) => db.for(q).limits.listOverrides());
    const value = load(p);
    this.cache.set(p.orgId, { until: Date.now() + OVERRIDES_TTL_MS, value });
    value.catch(() => this.cache.delete(p.orgId));
    return value;
  }

  /**
   * An erasure: the person's counters and slots are forgotten, on Redis and in this process
   * (the org's own counters hold no one's id and stay).
   */
  async forgetPerson(orgId: string, userId: string): Promise<void> {
    const userKey = `${orgId}:${userId}`;
    await this.windows.forget(userKey);
    await this.slots.forget(userKey);
  }

  /** After a change on this instance: the org's next admission reads the overrides afresh. */
  forget(orgId: string): void {
    this.cache.delete(orgId);
  }

  async admit(p: Principal): Promise<TurnAdmission> {
    const backlog = (this.opts.backlog ?? auditBacklogState)();
    if (backlog.behind) throw auditBehindRefusal(backlog.pending, backlog.retryAfterSeconds);

    const limits = await this.limitsFor(p);
    const userKey = `${p.orgId}:${p.userId}`;
    const orgKey = p.orgId;

    // Requests per minute are counted (atomically, across instances) and taken back if the turn is
    // refused; tokens per minute already used up are read in the same round trip: no point
    // starting a turn whose first model call would be refused.
    const rpm = [
      ...(limits.userRpm ? [{ reason: "user_rpm" as const, key: userKey, limit: limits.userRpm }] : []),
      ...(limits.orgRpm ? [{ reason: "org_rpm" as const, key: orgKey, limit: limits.orgRpm }] : []),
    ];
    const tpm: TokenBudget[] = [
      ...(limits.userTpm ? [{ reason: "user_tpm" as const, key: userKey, limit: limits.userTpm }] : []),
      ...(limits.orgTpm ? [{ reason: "org_tpm" as const, key: orgKey, limit: limits.orgTpm }] : []),
    ];
    const [counted, used] = await Promise.all([
      Promise.all(rpm.map((r) => this.windows.add("requests", r.key, 1))),
      Promise.all(tpm.map((t) => this.windows.peek("tokens", t.key))),
    ]);
    const uncount = () => Promise.all(rpm.map((r) => this.windows.subtract("requests", r.key, 1))).catch(() => {});
    const rpmOver = rpm.findIndex((r, i) => counted[i]!.used > r.limit);
    if (rpmOver >= 0) {
      await uncount();
      const r = rpm[rpmOver]!;
      throw limitRefusal({ reason: r.reason, limit: r.limit, used: counted[rpmOver]!.used - 1, retryAfterMs: counted[rpmOver]!.msBeforeNext });
    }
    const tpmOver = tpm.findIndex((t, i) => used[i]!.used >= t.limit);
    if (tpmOver >= 0) {
      await uncount();
      const t = tpm[tpmOver]!;
      throw limitRefusal({ reason: t.reason, limit: t.limit, used: used[tpmOver]!.used, retryAfterMs: used[tpmOver]!.msBeforeNext });
    }

    const slot = await this.slots.acquire(userKey, limits.maxConcurrentTurns);
    if (!slot.ok) {
      await uncount();
      throw limitRefusal({ reason: "concurrency", limit: limits.maxConcurrentTurns, used: slot.running, retryAfterMs: 5_000 });
    }
    return { guard: tpm.length ? new TokenGuard(this.windows, tpm) : OPEN_GUARD, release: slot.release, limits };
  }

  close(): void {
    this.slots.close();
  }
}

/**
 * Admission's own Redis client, on the shared Redis: its commands may take up to 2 s before the
 * insurance limiter answers instead. The shared client gives up after 200 ms (a cache lookup must
 * never hold a turn up), but a concurrency cap enforced per instance is a cap times the number of
 * instances: under a burst that blocks the event loop for a moment, a Redis reply read late is not
 * Redis being down, and falling back then let one person run more turns at once than their cap.
 * A Redis that is really unreachable is not waited for: its client is not ready, and the
 * insurance limiter answers at once.
 */
export const ADMISSION_REDIS_TIMEOUT_MS = 2_000;

/**
 * The counters, slots and Redis client are one per process (on globalThis, so every module graph
 * counts together) and rebuilt when the shared Redis changes. The Admission around them is one
 * per module graph: it throws the refusals, and an error made by another graph's classes (the
 * instrumentation's, which starts admission and runs erasure jobs) is not an AppError to a route,
 * which would answer 500 instead of 429.
 */
interface ProcessAdmission {
  url: string | null;
  redis: Redis | null;
  /** Settles once the client is ready, or has given up for now (its connect timeout). */
  connected: Promise<void>;
  stores: AdmissionStores;
}
const holder = globalThis as typeof globalThis & { __enclaveAdmissionStores?: ProcessAdmission };
let mine: { shared: ProcessAdmission; admission: Admission } | null = null;

function processAdmission(): ProcessAdmission {
  const url = sharedRedisUrl();
  const held = holder.__enclaveAdmissionStores;
  if (held && held.url === url) return held;
  if (held) {
    held.stores.slots.close();
    held.redis?.disconnect();
  }
  const redis = url ? createRedisClient(url, { commandTimeoutMs: ADMISSION_REDIS_TIMEOUT_MS }) : null;
  // Errors are reported by the client's own listeners; until it is ready the insurance limiter answers.
  const connected = redis ? redis.connect().catch(() => {}) : Promise.resolve();
  const fresh = { url, redis, connected, stores: admissionStores(redis) };
  holder.__enclaveAdmissionStores = fresh;
  return fresh;
}

export function admission(): Admission {
  const shared = processAdmission();
  if (mine?.shared !== shared) mine = { shared, admission: new Admission({ redis: shared.redis, stores: shared.stores }) };
  return mine.admission;
}

/**
 * At start-up, after the shared state: admission's client connects now (waiting at most its
 * connect timeout), so the first turns are counted on Redis, not by this instance alone.
 */
export async function startAdmission(): Promise<void> {
  await processAdmission().connected;
}

/** Forgets one person's limiter state (counters, slots) everywhere it is kept. */
export async function forgetPersonLimits(orgId: string, userId: string): Promise<void> {
  await admission().forgetPerson(orgId, userId);
}

/** May this principal start a chat turn now? See Admission. */
export async function admitTurn(principal: Principal): Promise<TurnAdmission> {
  return admission().admit(principal);
}
