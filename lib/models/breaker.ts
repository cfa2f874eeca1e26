import { ConsecutiveBreaker } from "cockatiel";
import { logger } from "@/lib/observability/logger";
import type { AttemptFailure } from "./failures";

/**
 * A circuit breaker per deployment. When to open is cockatiel's ConsecutiveBreaker (N failures
 * in a row), or at once for a 429, bad credentials or an unknown model (LiteLLM's cooldown).
 * Where the open state lives is a BreakerStore: in process by default; on Redis when configured,
 * so one instance's open breaker keeps every instance off that deployment, and after the
 * cooldown a single probe runs across the cluster under a lock. (cockatiel's own breaker keeps
 * its state per process, so its state machine is not used here.)
 */
export interface OpenState {
  /** Epoch ms until which nobody calls the deployment. */
  openUntil: number;
  reason: string;
  /** Opened by the provider's own rate limit: worth waiting out, unlike a failing deployment. */
  rateLimited?: boolean;
}

export interface BreakerStore {
  readonly kind: "memory" | "redis";
  read(id: string): Promise<OpenState | null>;
  open(id: string, state: OpenState): Promise<void>;
  close(id: string): Promise<void>;
  /** True for exactly one caller across the cluster until `ttlMs` passes or it is released. */
  acquireProbe(id: string, ttlMs: number): Promise<boolean>;
  releaseProbe(id: string): Promise<void>;
}

export class MemoryBreakerStore implements BreakerStore {
  readonly kind = "memory" as const;
  private readonly open_ = new Map<string, OpenState>();
  private readonly probes = new Map<string, number>();
  async read(id: string) {
    return this.open_.get(id) ?? null;
  }
  async open(id: string, state: OpenState) {
    this.open_.set(id, state);
  }
  async close(id: string) {
    this.open_.delete(id);
    this.probes.delete(id);
  }
  async acquireProbe(id: string, ttlMs: number) {
    const until = this.probes.get(id);
    if (until !== undefined && until > Date.now()) return false;
    this.probes.set(id, Date.now() + ttlMs);
    return true;
  }
  async releaseProbe(id: string) {
    this.probes.delete(id);
  }
}

export type BreakerView = "closed" | "open" | "half-open";
export type Admission = { ok: true; probe: boolean } | { ok: false; openUntil: number; reason: string; rateLimited: boolean };

export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  /** A provider's Retry-After beyond this is not waited out by the breaker. */
  maxCooldownMs: number;
  probeTtlMs: number;
}

export type BreakerTransition = { deploymentId: string; state: BreakerView; reason: string; until?: number };

export class DeploymentBreaker {
  private readonly counter: ConsecutiveBreaker;

  constructor(
    readonly deploymentId: string,
    private readonly store: () => BreakerStore,
    private readonly fallbackStore: BreakerStore,
    private readonly opts: BreakerOptions,
  ) {
    this.counter = new ConsecutiveBreaker(opts.failureThreshold);
  }

  /** Whether this call may go to the deployment now, and whether it is the half-open probe. */
  async admit(): Promise<Admission> {
    const state = await this.read();
    if (!state) return { ok: true, probe: false };
    if (Date.now() < state.openUntil) return { ok: false, openUntil: state.openUntil, reason: state.reason, rateLimited: state.rateLimited ?? false };
    if (await this.call((s) => s.acquireProbe(this.deploymentId, this.opts.probeTtlMs))) return { ok: true, probe: true };
    // Someone else is probing: a rate-limited deployment is worth a short wait for their verdict;
    // a failing one is treated as still open.
    return { ok: false, openUntil: Date.now() + 250, reason: state.reason, rateLimited: state.rateLimited ?? false };
  }

  async view(): Promise<{ state: BreakerView; openUntil?: number; reason?: string }> {
    const s = await this.read();
    if (!s) return { state: "closed" };
    return { state: Date.now() < s.openUntil ? "open" : "half-open", openUntil: s.openUntil, reason: s.reason };
  }

  async success(probe: boolean): Promise<BreakerTransition | null> {
    this.counter.success();
    if (!probe && !(await this.read())) return null;
    await this.call((s) => s.close(this.deploymentId));
    return { deploymentId: this.deploymentId, state: "closed", reason: "a call succeeded" };
  }

  async failure(f: AttemptFailure, probe: boolean): Promise<BreakerTransition | null> {
    const opens = this.counter.failure() || f.openNow || probe;
    if (probe) await this.call((s) => s.releaseProbe(this.deploymentId));
    if (!opens) return null;
    this.counter.success(); // start counting afresh after the cooldown
    return this.openFor(f.retryAfterMs ?? this.opts.cooldownMs, f.message, f.kind === "rate_limited");
  }

  /** Held open from the start (a misconfigured deployment). */
  async isolate(reason: string): Promise<void> {
    await this.openFor(365 * 24 * 3600_000, reason);
  }

  private async openFor(ms: number, reason: string, rateLimited = false): Promise<BreakerTransition> {
    const until = Date.now() + Math.min(Math.max(ms, 0), this.opts.maxCooldownMs);
    await this.call((s) => s.open(this.deploymentId, { openUntil: until, reason, rateLimited }));
    return { deploymentId: this.deploymentId, state: "open", reason, until };
  }

  private read(): Promise<OpenState | null> {
    return this.call((s) => s.read(this.deploymentId));
  }

  /** The shared store, or this process's own state (with one warning) while it is unreachable. */
  private async call<T>(f: (s: BreakerStore) => Promise<T>): Promise<T> {
    const shared = this.store();
    if (shared === this.fallbackStore) return f(shared);
    try {
      const v = await f(shared);
      warned = false;
      return v;
    } catch (err) {
      if (!warned) {
        warned = true;
        logger.warn({ component: "models", err: (err as Error).message }, "breaker state store unreachable; using this instance's own state until it is back");
      }
      return f(this.fallbackStore);
    }
  }
}

let warned = false;
