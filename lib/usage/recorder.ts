import { randomUUID } from "node:crypto";
import { db, unsafeWriteUsageBatch, type UsageRowInput } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/db/prisma-errors";
import { logger } from "@/lib/observability/logger";
import { setScrapeSource } from "@/lib/observability/metrics";
import { onTurnEvent, type TurnEvent } from "@/lib/observability/turn-events";
import { registerExportSection } from "@/lib/privacy/export-sections";
import { costOf } from "./prices";

/**
 * Metering: every model call of every turn becomes one usage row (org, user, team, conversation,
 * request, agent, deployment, provider, model, tokens, cached, cost at the price table). It
 * listens to the turn-event channel (the gateway's `model_call` attempts and `cache_hit`s, with
 * `data.agent` from the agent team, else "chat"), off the hot path: rows are queued in memory
 * and written in batches, one statement each that also folds them into the daily aggregates.
 *
 * Nothing recorded is dropped:
 * - a batch the database cannot take because it is unavailable goes back to the front of the
 *   queue and is retried with exponential backoff (100 ms doubling to 30 s), in order; rows carry
 *   ids minted here, so a batch that was in fact written before its error is not counted twice;
 * - a batch refused for one bad row is written row by row; a row the database refuses on its own
 *   (e.g. its org was deleted) is quarantined: logged in full at error level, never silently lost;
 * - memory stays bounded by backpressure, not by dropping: past BACKLOG_LIMIT pending rows the
 *   writer is "behind" (usageBacklogState) and new turns are refused with 503 + Retry-After
 *   (checkBudget in the admit stage) until it has caught up. Turns already running finish and
 *   are recorded in full.
 */
const BACKLOG_LIMIT = 20_000;
const BATCH = 500;
const FLUSH_MS = 50;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 30_000;

interface QueueState {
  queue: UsageRowInput[];
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
  retryTimer: NodeJS.Timeout | null;
  retryDelay: number;
  installed: boolean;
}

// On globalThis: Next bundles this module into more than one graph; there must be one queue.
const holder = globalThis as typeof globalThis & { __enclaveUsageQueue?: QueueState };
const state = (holder.__enclaveUsageQueue ??= { queue: [], timer: null, flushing: null, retryTimer: null, retryDelay: 0, installed: false });

let write: (batch: UsageRowInput[]) => Promise<number> = (b) => unsafeWriteUsageBatch(b);
let backlogLimit = BACKLOG_LIMIT;
let drainRate = 0;

/** Tests make the database refuse, to prove nothing is lost. Returns the undo. */
export function replaceUsageBatchWriterForTests(fn: (batch: UsageRowInput[]) => Promise<number>): () => void {
  write = fn;
  return () => {
    write = (b) => unsafeWriteUsageBatch(b);
  };
}

/** Tests shrink the bound. Returns the undo. */
export function setUsageBacklogLimitForTests(n: number): () => void {
  backlogLimit = n;
  return () => {
    backlogLimit = BACKLOG_LIMIT;
  };
}

const str = (v: unknown, fallback: string) => (typeof v === "string" && v.length > 0 ? v : fallback);
const tokens = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

/** The usage row a turn event stands for, or null (not a model call, or a failed attempt). */
export function usageRowOf(e: TurnEvent): UsageRowInput | null {
  const cached = e.step === "cache_hit";
  if (!cached && !(e.step === "model_call" && e.outcome === "success")) return null;
  const d = e.data ?? {};
  const model = str(d.model, "unknown");
  if (!cached && d.inputTokens === undefined && d.outputTokens === undefined) warnNoTokens(model, str(d.deployment, "unknown"));
  const inputTokens = tokens(d.inputTokens);
  const outputTokens = tokens(d.outputTokens);
  const priced = costOf({ model, inputTokens, outputTokens, cached });
  return {
    id: randomUUID(),
    orgId: e.orgId,
    userId: e.userId,
    teamId: "",
    conversationId: e.conversationId,
    requestId: e.requestId,
    agent: str(d.agent, "chat"),
    deploymentId: str(d.deployment, "unknown"),
    provider: str(d.provider, cached ? "cache" : "unknown"),
    model,
    inputTokens,
    outputTokens,
    cached,
    costUsd: priced.costUsd,
    defaultPriced: priced.defaultPriced,
    at: new Date(e.at),
  };
}

let warnedNoTokens = false;

/** A successful call whose event carries no token counts would be metered as free: say so once. */
function warnNoTokens(model: string, deployment: string): void {
  if (warnedNoTokens) return;
  warnedNoTokens = true;
  logger.warn({ component: "usage", model, deployment }, "a model call was reported without token counts: it is metered at 0 tokens (the gateway should report usage for every attempt)");
}

export const usageTurnSink = (e: TurnEvent): void => {
  const row = usageRowOf(e);
  if (row) enqueueUsage(row);
};

export function enqueueUsage(row: UsageRowInput): void {
  state.queue.push(row);
  if (state.retryTimer) return; // waiting for the database: the retry flushes everything
  if (state.queue.length >= BATCH) void flushUsage();
  else if (!state.timer) {
    state.timer = setTimeout(() => void flushUsage(), FLUSH_MS);
    state.timer.unref?.();
  }
}

/** Subscribes metering to the turn-event channel (once per process); called at start-up. */
export function installUsageRecorder(): void {
  setScrapeSource({ queue: "usage", read: () => state.queue.length });
  registerUsageExport();
  if (state.installed) return;
  state.installed = true;
  onTurnEvent(usageTurnSink);
}

export interface UsageBacklogState {
  pending: number;
  limit: number;
  /** Past the bound: new turns must wait (503). */
  behind: boolean;
  /** While behind: the time to write down to the bound at the recent rate, or the retry backoff (1–60 s). */
  retryAfterSeconds: number;
}

let warnedBehind = false;

/** Whether the usage writer is behind beyond its bound (read by admission on every turn; ~free). */
export function usageBacklogState(): UsageBacklogState {
  const pending = state.queue.length;
  const behind = pending > backlogLimit;
  if (behind !== warnedBehind) {
    warnedBehind = behind;
    if (behind) logger.warn({ component: "usage", pending, limit: backlogLimit }, "the usage writer is behind: new chat turns are refused (503) until it catches up");
    else logger.info({ component: "usage", pending, limit: backlogLimit }, "the usage writer caught up: new chat turns are admitted again");
  }
  let retryAfterSeconds = 1;
  if (behind) {
    const seconds = drainRate > 0 ? (pending - backlogLimit) / drainRate : (state.retryDelay || 5_000) / 1000;
    retryAfterSeconds = Math.min(60, Math.max(1, Math.ceil(seconds)));
  }
  return { pending, limit: backlogLimit, behind, retryAfterSeconds };
}

/** Cost (USD) of rows seen but not yet written, matching a filter: budget checks add it to the stored spend. */
export function pendingUsageCost(match: (r: UsageRowInput) => boolean): number {
  let sum = 0;
  for (const r of state.queue) if (match(r)) sum += r.costUsd;
  return sum;
}

export function pendingUsageRows(): number {
  return state.queue.length;
}

type Outcome = { outcome: "written" } | { outcome: "unavailable"; unwritten: UsageRowInput[]; error: unknown };

async function writeBatch(batch: UsageRowInput[]): Promise<Outcome> {
  try {
    await write(batch);
    return { outcome: "written" };
  } catch (err) {
    if (isDatabaseUnavailable(err)) return { outcome: "unavailable", unwritten: batch, error: err };
    if (batch.length === 1) {
      logger.error({ component: "usage", err, quarantined: batch[0] }, "the database refused a usage row: quarantined here (the rest of its batch was written)");
      return { outcome: "written" };
    }
  }
  for (let i = 0; i < batch.length; i++) {
    const one = await writeBatch([batch[i]!]);
    if (one.outcome === "unavailable") return { outcome: "unavailable", unwritten: batch.slice(i), error: one.error };
  }
  return { outcome: "written" };
}

function scheduleRetry(err: unknown): void {
  const delay = Math.min(state.retryDelay ? state.retryDelay * 2 : RETRY_MIN_MS, RETRY_MAX_MS);
  state.retryDelay = delay;
  logger.warn({ component: "usage", err, pending: state.queue.length, retryInMs: delay }, "the database is unavailable: usage rows wait in memory and are retried");
  state.retryTimer = setTimeout(() => {
    state.retryTimer = null;
    void flushUsage();
  }, delay);
  state.retryTimer.unref?.();
}

/**
 * Writes what is queued. Resolves when the queue is empty, or when the database is unavailable
 * and the rest waits for its retry (pendingUsageRows() says how much).
 */
export function flushUsage(): Promise<void> {
  if (state.timer) {
    clearTimeout(state.timer);
    state.timer = null;
  }
  if (state.flushing) return state.flushing.then(() => (state.queue.length && !state.retryTimer ? flushUsage() : undefined));
  if (state.retryTimer) {
    // An explicit flush (shutdown, tests) tries now rather than waiting out the backoff.
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
  }
  state.flushing = (async () => {
    while (state.queue.length > 0) {
      // Rows stay in the queue (and in pendingUsageCost) until written.
      const batch = state.queue.slice(0, BATCH);
      const t0 = performance.now();
      const r = await writeBatch(batch);
      if (r.outcome === "unavailable") {
        state.queue.splice(0, batch.length - r.unwritten.length);
        drainRate = 0;
        scheduleRetry(r.error);
        return;
      }
      state.queue.splice(0, batch.length);
      const perSecond = batch.length / Math.max(0.001, (performance.now() - t0) / 1000);
      drainRate = drainRate > 0 ? drainRate * 0.7 + perSecond * 0.3 : perSecond;
      state.retryDelay = 0;
    }
  })().finally(() => {
    state.flushing = null;
  });
  return state.flushing;
}

/** A person's data export carries their usage records (the "usage" section of the archive). */
export function registerUsageExport(): void {
  registerExportSection({ name: "usage", load: (owner) => db.forOwner(owner).dataExport.usageRecords() });
}
