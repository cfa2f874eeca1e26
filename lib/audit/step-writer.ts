import { writeAuditBatch } from "@/lib/db/audit";
import { isDatabaseUnavailable } from "@/lib/db/prisma-errors";
import { logger } from "@/lib/observability/logger";
import { auditEventsQuarantined, auditWriteFailures, auditWriteRetries } from "@/lib/observability/metrics";
import type { AuditEventInput } from "@/lib/audit-record/events";

/**
 * Chat-turn steps are audited off the hot path: queued in memory and written in batches (one
 * INSERT per batch). If the database refuses, the turn has already answered; nothing is thrown
 * at the user. Privileged actions do NOT come through here: they are written in the transaction
 * of the change they record.
 *
 * - A batch the database refuses because of one bad event is written one event at a time: the
 *   good ones are stored, each refused one is quarantined (logged in full with its error, and
 *   counted in enclave_audit_events_quarantined_total).
 * - A batch that fails because the database is unavailable goes back to the front of the queue
 *   and is retried with exponential backoff (up to 30 s between tries), in order.
 * - Nothing recorded is ever dropped: under a flood (or while the database is away) the queue
 *   grows. Backpressure keeps it bounded instead: past BACKLOG_LIMIT pending events the writer is
 *   "behind" (auditBacklogState), and admission (lib/limits) refuses new turns with 503 and
 *   Retry-After until it has caught up. Turns already running finish and are recorded in full.
 *   The queue's length is the enclave_queue_depth{queue="audit"} gauge.
 */
const BACKLOG_LIMIT = 20_000;
const BATCH = 500;
const FLUSH_MS = 50;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 30_000;

interface QueueState {
  queue: AuditEventInput[];
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
  retryTimer?: NodeJS.Timeout | null;
  retryDelay?: number;
}

const holder = globalThis as typeof globalThis & { __enclaveAuditQueue?: QueueState };
const state = (holder.__enclaveAuditQueue ??= { queue: [], timer: null, flushing: null });

let write: (batch: AuditEventInput[]) => Promise<number> = writeAuditBatch;
let backlogLimit = BACKLOG_LIMIT;
/** Events written per second, smoothed: how long the backlog takes to clear. */
let drainRate = 0;

/** Tests make the database refuse, to prove the turn answers anyway. Returns the undo. */
export function replaceAuditBatchWriterForTests(fn: (batch: AuditEventInput[]) => Promise<number>): () => void {
  write = fn;
  return () => {
    write = writeAuditBatch;
  };
}

/** Tests shrink the bound. Returns the undo. */
export function setAuditBacklogLimitForTests(n: number): () => void {
  backlogLimit = n;
  return () => {
    backlogLimit = BACKLOG_LIMIT;
  };
}

export interface AuditBacklogState {
  pending: number;
  limit: number;
  /** Past the bound: new turns must wait (admission answers 503). */
  behind: boolean;
  /** When to try again, while behind: the time to write down to the bound at the recent rate (1–60 s). */
  retryAfterSeconds: number;
}

let warnedBehind = false;

/** Whether the chat-turn audit writer is behind beyond its bound (read by admission, ~free). */
export function auditBacklogState(): AuditBacklogState {
  const pending = state.queue.length;
  const behind = pending > backlogLimit;
  if (behind !== warnedBehind) {
    warnedBehind = behind;
    if (behind) logger.warn({ component: "audit", pending, limit: backlogLimit }, "the audit writer is behind: new chat turns are refused (503) until it catches up");
    else logger.info({ component: "audit", pending, limit: backlogLimit }, "the audit writer caught up: new chat turns are admitted again");
  }
  let retryAfterSeconds = 1;
  if (behind) {
    const excess = pending - backlogLimit;
    // No recent writes (the database is away): its retry backoff, or a few seconds.
    const seconds = drainRate > 0 ? excess / drainRate : (state.retryDelay ?? 5_000) / 1000;
    retryAfterSeconds = Math.min(60, Math.max(1, Math.ceil(seconds)));
  }
  return { pending, limit: backlogLimit, behind, retryAfterSeconds };
}

export function enqueueAuditEvent(e: AuditEventInput): void {
  state.queue.push(e);
  if (state.retryTimer) return; // waiting for the database: the retry flushes everything
  if (state.queue.length >= BATCH) void flushAuditSteps();
  else if (!state.timer) state.timer = setTimeout(() => void flushAuditSteps(), FLUSH_MS);
}

type Outcome = "written" | "unavailable";

/** Writes one batch; a refused batch is split into single events so only the bad ones are set aside. */
async function writeBatch(batch: AuditEventInput[]): Promise<{ outcome: Outcome; unwritten: AuditEventInput[]; error?: unknown }> {
  try {
    await write(batch);
    return { outcome: "written", unwritten: [] };
  } catch (err) {
    if (isDatabaseUnavailable(err)) return { outcome: "unavailable", unwritten: batch, error: err };
    if (batch.length === 1) {
      quarantine(batch[0]!, err);
      return { outcome: "written", unwritten: [] };
    }
  }
  for (let i = 0; i < batch.length; i++) {
    const one = await writeBatch([batch[i]!]);
    if (one.outcome === "unavailable") return { outcome: "unavailable", unwritten: batch.slice(i), error: one.error };
  }
  return { outcome: "written", unwritten: [] };
}

function quarantine(event: AuditEventInput, err: unknown): void {
  auditEventsQuarantined.inc();
  auditWriteFailures.inc();
  logger.error(
    { component: "audit", err, quarantined: event },
    "the database refused a chat-turn audit event: quarantined here (the rest of its batch was written)",
  );
}

function scheduleRetry(err: unknown, pending: number): void {
  const delay = Math.min(state.retryDelay ? state.retryDelay * 2 : RETRY_MIN_MS, RETRY_MAX_MS);
  state.retryDelay = delay;
  auditWriteRetries.inc();
  logger.warn({ component: "audit", err, pending, retryInMs: delay }, "the database is unavailable: chat-turn audit events wait in memory and are retried");
  state.retryTimer = setTimeout(() => {
    state.retryTimer = null;
    void flushAuditSteps();
  }, delay);
  state.retryTimer.unref?.();
}

/**
 * Writes what is queued. Resolves when the queue is empty, or when the database is unavailable
 * and the rest waits for its retry (pendingAuditSteps() says how much).
 */
export function flushAuditSteps(): Promise<void> {
  if (state.timer) {
    clearTimeout(state.timer);
    state.timer = null;
  }
  if (state.flushing) return state.flushing.then(() => (state.queue.length && !state.retryTimer ? flushAuditSteps() : undefined));
  if (state.retryTimer) {
    // An explicit flush (shutdown, tests) tries now rather than waiting out the backoff.
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
  }
  state.flushing = (async () => {
    while (state.queue.length > 0) {
      const batch = state.queue.splice(0, BATCH);
      const t0 = performance.now();
      const r = await writeBatch(batch);
      if (r.outcome === "unavailable") {
        // Back at the front, in order; nothing recorded is dropped.
        state.queue.unshift(...r.unwritten); // at most one batch: spreading is safe
        drainRate = 0;
        scheduleRetry(r.error, state.queue.length);
        return;
      }
      const perSecond = batch.length / Math.max(0.001, (performance.now() - t0) / 1000);
      drainRate = drainRate > 0 ? drainRate * 0.7 + perSecond * 0.3 : perSecond;
      state.retryDelay = 0;
    }
  })().finally(() => {
    state.flushing = null;
  });
  return state.flushing;
}

export function pendingAuditSteps(): number {
  return state.queue.length;
}
