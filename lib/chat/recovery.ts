import { randomUUID } from "node:crypto";
import { env } from "@/lib/config/env";
import { getDatabase } from "@/lib/db";
import { unsafeHeartbeat, unsafeInterruptOrphanedReplies, type OrphanedReply } from "@/lib/db/reply-recovery";
import { logger } from "@/lib/observability/logger";
import { emitTurnEvent } from "@/lib/observability/turn-events";

/**
 * Replies whose server process died mid-stream (kill -9, a crash) would stay `streaming` for
 * good, their partial text unsaved and their audit timeline open. Each reply is filed under the
 * process streaming it; each process beats; at start-up and then periodically every process
 * closes the replies of processes that stopped beating, keeping the text they last saved.
 */
const REASON = "The server stopped while this reply was being written; what had arrived is kept. Retry to get a full answer.";

const holder = globalThis as typeof globalThis & { __enclaveInstanceId?: string; __enclaveRecovery?: NodeJS.Timeout[] };

/** This server process, as the replies it streams record it. One per process, across module graphs. */
export function instanceId(): string {
  return (holder.__enclaveInstanceId ??= randomUUID());
}

/** Closes orphaned replies now; returns them. Their audit timelines get an `interrupted` step. */
export async function recoverOrphanedReplies(): Promise<OrphanedReply[]> {
  const e = env();
  const soleProcess = (await getDatabase()).kind === "pglite";
  const orphans = await unsafeInterruptOrphanedReplies({
    instanceId: instanceId(),
    staleAfterMs: e.INSTANCE_HEARTBEAT_MS * 4,
    maxStreamMs: e.MODEL_TIMEOUT_MS + 60_000,
    soleProcess,
    reason: REASON,
  });
  for (const o of orphans) {
    emitTurnEvent({
      step: "response_interrupted",
      requestId: o.requestId ?? `recovered-${o.id}`,
      orgId: o.orgId,
      userId: o.userId,
      sessionId: "",
      conversationId: o.conversationId,
      at: Date.now(),
      latencyMs: Date.now() - o.createdAt.getTime(),
      outcome: "failure",
      data: { assistantMessageId: o.id, chars: o.chars, reason: REASON, recovered: true },
    });
  }
  if (orphans.length > 0) logger.warn({ component: "chat", count: orphans.length }, "closed replies left streaming by a server that stopped");
  return orphans;
}

/** Registers this process, sweeps once, then beats and sweeps on an interval (unref'd timers). */
export async function startReplyRecovery(): Promise<void> {
  if (holder.__enclaveRecovery) return;
  const e = env();
  await unsafeHeartbeat(instanceId());
  await recoverOrphanedReplies();
  const beat = setInterval(() => {
    unsafeHeartbeat(instanceId()).catch((err: unknown) => logger.warn({ component: "chat", err }, "instance heartbeat failed"));
  }, e.INSTANCE_HEARTBEAT_MS);
  const sweep = setInterval(() => {
    recoverOrphanedReplies().catch((err: unknown) => logger.warn({ component: "chat", err }, "orphaned reply sweep failed"));
  }, e.INSTANCE_HEARTBEAT_MS * 2);
  beat.unref();
  sweep.unref();
  holder.__enclaveRecovery = [beat, sweep];
}

export function stopReplyRecovery(): void {
  for (const t of holder.__enclaveRecovery ?? []) clearInterval(t);
  holder.__enclaveRecovery = undefined;
}
