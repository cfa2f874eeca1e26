import { writeAuditBatch } from "@/lib/db/audit";
import { logger } from "@/lib/observability/logger";
import { auditWriteFailures, auditEventsDropped } from "@/lib/observability/metrics";
import type { AuditEventInput } from "./events";

/**
 * Chat-turn steps are audited off the hot path: queued in memory and written in batches (one
 * INSERT per batch). If the database refuses, the turn has already answered; the failure is
 * logged and counted, never thrown at the user. Privileged actions do NOT come through here:
 * they are written in the transaction of the change they record.
 */
const MAX_QUEUE = 20_000;
const BATCH = 500;
const FLUSH_MS = 50;

const holder = globalThis as typeof globalThis & {
  __enclaveAuditQueue?: { queue: AuditEventInput[]; timer: NodeJS.Timeout | null; flushing: Promise<void> | null };
};
const state = (holder.__enclaveAuditQueue ??= { queue: [], timer: null, flushing: null });

let write: (batch: AuditEventInput[]) => Promise<number> = writeAuditBatch;

/** Tests make the database refuse, to prove the turn answers anyway. Returns the undo. */
export function replaceAuditBatchWriterForTests(fn: (batch: AuditEventInput[]) => Promise<number>): () => void {
  write = fn;
  return () => {
    write = writeAuditBatch;
  };
}

export function enqueueAuditEvent(e: AuditEventInput): void {
  if (state.queue.length >= MAX_QUEUE) {
    state.queue.shift();
    auditEventsDropped.inc();
  }
  state.queue.push(e);
  if (state.queue.length >= BATCH) void flushAuditSteps();
  else if (!state.timer) state.timer = setTimeout(() => void flushAuditSteps(), FLUSH_MS);
}

export function flushAuditSteps(): Promise<void> {
  if (state.timer) {
    clearTimeout(state.timer);
    state.timer = null;
  }
  if (state.flushing) return state.flushing.then(() => (state.queue.length ? flushAuditSteps() : undefined));
  state.flushing = (async () => {
    while (state.queue.length > 0) {
      const batch = state.queue.splice(0, BATCH);
      try {
        await write(batch);
      } catch (err) {
        auditWriteFailures.inc(batch.length);
        logger.error({ err, events: batch.length }, "could not write chat-turn audit events; the turns themselves were answered");
      }
    }
  })().finally(() => {
    state.flushing = null;
  });
  return state.flushing;
}

export function pendingAuditSteps(): number {
  return state.queue.length;
}
