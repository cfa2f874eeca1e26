import { env } from "@/lib/config/env";
import type { Admitted } from "./admit";
import { describeModelFailure } from "../model-errors";
import { createReplyStream, type ReplyResult, type ReplyStream } from "../reply-stream";
import type { FailureSlot } from "./finish";
import type { Orchestrated } from "./orchestrate";
import type { Prepared } from "./prepare";
import type { TurnContext } from "./turn-context";
import type { TurnSignal } from "./turn-signal";

/**
 * Stage 5: the team's parts (trace and answer) become the reply the caller reads, checkpointed
 * while it streams; when it ends, `onEnd` (the finish stage) stores it.
 */
export function streamReply(
  ctx: TurnContext,
  admitted: Admitted,
  prepared: Prepared,
  team: Orchestrated,
  signal: TurnSignal,
  slot: FailureSlot,
  onEnd: (result: ReplyResult) => Promise<{ unsaved?: string }>,
): ReplyStream {
  const e = env();
  return createReplyStream({
    source: team.stream,
    messageId: prepared.assistantMessageId,
    tools: team.tools,
    startMetadata: () => ({ status: "streaming", model: prepared.modelLabel, createdAt: new Date(prepared.replyCreatedAt).toISOString() }),
    finishMetadata: (u) => {
      const answered = team.answered();
      return {
        status: "complete",
        model: answered?.label ?? prepared.modelLabel,
        deployment: answered?.deploymentId ?? null,
        fallback: answered?.fallback ?? false,
        agentVersions: team.versions,
        ...(admitted.budgetWarning() ? { budgetWarning: admitted.budgetWarning()! } : {}),
        ...u,
      };
    },
    errorText: (error) => {
      // The first, original error is the one to explain; later ones wrap it.
      slot.failure ??= describeModelFailure(error, { timedOut: signal.timedOut() });
      return slot.failure.message;
    },
    // A timeout would otherwise end the stream with a bare abort and tell the browser nothing.
    abortText: () => (signal.timedOut() ? describeModelFailure(null, { timedOut: true }).message : undefined),
    onFirstText: () => ctx.emit("first_token", { latencyMs: Date.now() - ctx.startedAt, data: { provider: prepared.provider, model: prepared.modelId } }),
    onCancel: (reason) => signal.abort(reason),
    stallMs: e.STREAM_STALL_TIMEOUT_MS,
    coalesceMs: e.STREAM_COALESCE_MS,
    onEnd: async (result) => {
      const { unsaved } = await onEnd(result);
      return unsaved ? { errorText: unsaved } : undefined;
    },
    onCheckpoint: (parts) => prepared.scoped.messages.saveProgress(prepared.assistantMessageId, parts),
    checkpointMs: e.STREAM_CHECKPOINT_MS,
  });
}
