import type { FinishMessageInput, ScopedDb } from "@/lib/db";
import { logger } from "@/lib/observability/logger";
import { errorSummary } from "../error-summary";
import { describeModelFailure, type ModelFailure } from "../model-errors";
import type { ReplyResult } from "../reply-stream";
import type { TurnOutcome } from "../turn-types";
import type { Orchestrated } from "./orchestrate";
import type { Prepared } from "./prepare";
import type { TurnContext } from "./turn-context";
import type { TurnSignal } from "./turn-signal";

/** The first model failure of the reply, shared by the stream (what the reader is told) and finish. */
export interface FailureSlot {
  failure?: ModelFailure;
}

export const UNSAVED = "Enclave could not save this reply, so it may be missing after a reload. Your message is saved; retry in a moment.";

/**
 * Stage 6: the reply ended (completed, failed, stopped, stalled): store it in its final state,
 * also when that is partial, and close the turn's record. Returns the outcome, and the text to
 * send the reader last when the reply could not be stored.
 */
export async function finish(
  ctx: TurnContext,
  prepared: Prepared,
  team: Orchestrated,
  signal: TurnSignal,
  slot: FailureSlot,
  { outcome, parts, text, usage }: ReplyResult,
): Promise<{ outcome: TurnOutcome; unsaved?: string }> {
  signal.dispose();
  let status: TurnOutcome["status"];
  let error: string | null = null;
  if (outcome.status === "completed" && !slot.failure) {
    status = "complete";
  } else if (slot.failure || outcome.status === "failed") {
    slot.failure ??= describeModelFailure(outcome.status === "failed" ? outcome.error : undefined);
    status = text ? "interrupted" : "error";
    error = slot.failure.message;
  } else {
    status = "interrupted";
    error = signal.timedOut()
      ? describeModelFailure(null, { timedOut: true }).message
      : outcome.status === "stalled"
        ? "The connection was too slow to receive the reply, so it was stopped."
        : "Stopped before the reply finished.";
  }
  if (slot.failure?.byGuard) {
    // The turn's own guard cut it off between two model calls; what it had is kept, marked.
    ctx.emit("budget_cutoff", { outcome: "failure", data: { failure: slot.failure.kind, chars: text.length } });
  }
  const answered = team.answered();
  let unsaved: string | undefined;
  try {
    const saved = await storeFinalReply(prepared.scoped, prepared.assistantMessageId, {
      parts,
      status,
      error,
      inputTokens: usage.inputTokens ?? null,
      outputTokens: usage.outputTokens ?? null,
      agentVersions: team.versions,
      ...(answered ? { model: answered.label, deploymentId: answered.deploymentId, fallback: answered.fallback } : {}),
    });
    if (!saved) {
      // Both doors are told: the reply they saw is not (fully) stored.
      unsaved = UNSAVED;
      slot.failure = { kind: "storage", message: UNSAVED };
      status = "error";
      error = UNSAVED;
    }
  } finally {
    const failure = slot.failure;
    ctx.emit(status === "complete" ? "response_completed" : status === "error" ? "response_failed" : "response_interrupted", {
      at: Date.now(),
      latencyMs: Date.now() - ctx.startedAt,
      outcome: status === "complete" ? "success" : "failure",
      output: text,
      data: {
        assistantMessageId: prepared.assistantMessageId,
        chars: text.length,
        ...usage,
        ...(error ? { reason: error } : {}),
        ...(failure ? { failure: failure.kind, status: failure.status } : {}),
      },
    });
  }
  return { outcome: { status, text, ...(slot.failure ? { failure: slot.failure } : {}) }, ...(unsaved ? { unsaved } : {}) };
}

/**
 * The final write, retried: a dropped connection at the end of a turn must not leave a finished
 * reply `streaming` with nothing stored. If it still fails, the partial text is kept by a
 * separate, smaller statement marking the reply as an error. False when the reply as streamed
 * could not be stored.
 */
async function storeFinalReply(scoped: ScopedDb, messageId: string, input: FinishMessageInput): Promise<boolean> {
  for (const waitMs of [0, 100, 400]) {
    if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
    try {
      await scoped.messages.finish(messageId, input);
      return true;
    } catch (err) {
      logger.warn({ component: "chat", messageId, err: errorSummary(err) }, "could not store the reply; retrying");
    }
  }
  try {
    await scoped.messages.finish(messageId, { parts: input.parts, status: "error", error: UNSAVED });
  } catch (err) {
    // Left `streaming`: the orphan sweep closes it once it is older than the model timeout.
    logger.error({ component: "chat", messageId, err: errorSummary(err) }, "could not store the reply at all");
  }
  return false;
}
