import { randomUUID } from "node:crypto";
import { convertToModelMessages, isStepCount, streamText, type UIMessageChunk } from "ai";
import { toolsForTurn } from "@/lib/agents/tools";
import { env } from "@/lib/config/env";
import { db, type FinishMessageInput, type MessageStatus, type ScopedDb, type StoredMessage } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { GatewayError } from "@/lib/models/failures";
import { getLanguageModel } from "@/lib/models/registry";
import type { Principal } from "@/lib/principal";
import { describeModelFailure, type ModelFailure } from "./model-errors";
import { messageText, titleFrom, type ChatRequest } from "./schema";
import { turnEmitter } from "@/lib/observability/turn-events";
import { logger } from "@/lib/observability/logger";
import type { ServerTiming } from "@/lib/observability/server-timing";
import { emitGatewayEvent } from "./gateway-events";
import { instanceId } from "./recovery";
import { createReplyStream } from "./reply-stream";
import { forModel, type MessageMetadata } from "./ui-messages";

const INSTRUCTIONS =
  "You are Enclave, an assistant inside a company's private AI workspace. Answer clearly and concisely in Markdown. " +
  "You only know this user's own conversation; never claim access to other people's data. " +
  "Use the calculator tool for arithmetic and the clock tool for the current date or time.";

/** Tool calls and their answers take steps; a turn never loops longer than this. */
const MAX_STEPS = 5;

export interface TurnOutcome {
  status: Exclude<MessageStatus, "streaming">;
  text: string;
  failure?: ModelFailure;
}

export interface ChatTurn {
  conversationId: string;
  assistantMessageId: string;
  createdConversation: boolean;
  modelLabel: string;
  /**
   * The reply, read once, in one of two forms: SSE bytes in the AI SDK's UI message stream
   * protocol (the browser) or the UI message chunks (the OpenAI-compatible door). Cancelling it
   * stops the model call.
   */
  sse(): ReadableStream<Uint8Array>;
  chunks(): ReadableStream<UIMessageChunk<MessageMetadata>>;
  /**
   * Resolves once the model has begun the reply. Throws an AppError (503 or 429 with
   * Retry-After) when the gateway refused before anything streamed: no free slot in time, every
   * deployment cooling down, a rate limit longer than the turn may wait. Call it before sending
   * the response head; other failures arrive in the stream as before.
   */
  opened(): Promise<void>;
  /** Settles once the reply is stored in its final state (complete, interrupted or error). */
  done: Promise<TurnOutcome>;
}

export interface TurnOptions {
  requestId: string;
  /** The caller's own x-request-id, recorded with the request (never used to group the turn). */
  clientRequestId?: string;
  /** Aborted when the caller goes away (client disconnect, stop button). */
  signal?: AbortSignal;
  /** Where to report phase durations (sent back as Server-Timing). */
  timing?: ServerTiming;
}

const TIMEOUT = Symbol("model timeout");

/**
 * One chat turn, the pipeline every door uses (browser and, later, the OpenAI-compatible API):
 * check → persist the user's message and a placeholder reply → call the model → stream →
 * persist the final reply, also when the stream breaks or the caller leaves.
 */
export async function runChatTurn(principal: Principal, req: ChatRequest, opts: TurnOptions): Promise<ChatTurn> {
  const e = env();
  const emit = turnEmitter(principal, opts.requestId, req.id);
  const turnStarted = Date.now();
  const text = messageText(req.message.parts);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > e.MAX_MESSAGE_BYTES) {
    throw new AppError(
      "payload_too_large",
      `Your message is ${(bytes / 1024).toFixed(1)} KB; the limit is ${Math.floor(e.MAX_MESSAGE_BYTES / 1024)} KB. Shorten it or split it into several messages.`,
      { fields: [{ field: "message.parts", message: `over ${e.MAX_MESSAGE_BYTES} bytes` }] },
    );
  }
  if (!text.trim()) {
    throw new AppError("validation_failed", "The message is empty.", { fields: [{ field: "message.parts", message: "no text" }] });
  }
  const received = {
    at: turnStarted,
    input: text,
    data: { messageId: req.message.id, bytes, ...(opts.clientRequestId ? { clientRequestId: opts.clientRequestId } : {}) },
  };

  let prepared: Awaited<ReturnType<typeof prepareTurn>>;
  try {
    prepared = await prepareTurn(principal, req, text, opts);
  } catch (err) {
    // A turn refused before the model (not found, conflict, database down) still closes its
    // record: the trail shows the attempt and why it went nowhere. The conversation id is the
    // caller's claim, not proven theirs (it may be someone else's), so it is not recorded.
    const unfiled = turnEmitter(principal, opts.requestId, null);
    unfiled("request_received", received);
    unfiled("response_failed", {
      latencyMs: Date.now() - turnStarted,
      outcome: "failure",
      data: { stage: "persist", error: err instanceof AppError ? err.code : "internal" },
    });
    throw err;
  }
  // Only now is the conversation known to be the caller's (startTurn checked it).
  emit("request_received", received);
  const { scoped, choice, assistantMessageId, now, started, messages } = prepared;

  const abort = new AbortController();
  const onCallerGone = () => abort.abort(opts.signal?.reason ?? "caller went away");
  if (opts.signal?.aborted) onCallerGone();
  opts.signal?.addEventListener("abort", onCallerGone, { once: true });
  const timer = setTimeout(() => abort.abort(TIMEOUT), e.MODEL_TIMEOUT_MS);

  let failure: ModelFailure | undefined;
  let resolveDone!: (o: TurnOutcome) => void;
  const done = new Promise<TurnOutcome>((r) => (resolveDone = r));

  // The gateway (lib/models) retries, fails over and queues; each of its steps is a turn event.
  let answered: { deploymentId: string; label: string; fallback: boolean } | undefined;
  const { model } = await getLanguageModel("large", {
    orgId: principal.orgId,
    userId: principal.userId,
    deadline: turnStarted + e.MODEL_TIMEOUT_MS,
    onEvent: (ev) => {
      if (ev.type === "answered") answered = { deploymentId: ev.deploymentId, label: ev.label, fallback: ev.fallback };
      emitGatewayEvent(emit, ev);
    },
  });
  const tools = toolsForTurn(e.CHAT_TOOLS, (t) =>
    emit("tool_call", {
      at: t.startedAt,
      latencyMs: t.latencyMs,
      outcome: t.outcome,
      input: JSON.stringify(t.input),
      output: JSON.stringify(t.output),
      data: { tool: t.tool, toolCallId: t.toolCallId },
    }),
  );
  const result = streamText({
    model,
    instructions: INSTRUCTIONS,
    messages,
    ...(Object.keys(tools).length > 0 ? { tools, stopWhen: isStepCount(MAX_STEPS) } : {}),
    abortSignal: abort.signal,
    // The gateway retries; the SDK's own retries would multiply its attempts.
    maxRetries: 0,
    // The default handler prints whole provider errors (request bodies included) to stderr.
    onError: ({ error }) => {
      logger.warn({ component: "chat", requestId: opts.requestId, err: errorSummary(error) }, "model stream error");
    },
  });

  const reply = createReplyStream({
    source: result.stream,
    messageId: assistantMessageId,
    tools,
    startMetadata: () => ({ status: "streaming", model: choice.label, createdAt: new Date(now + 1).toISOString() }),
    finishMetadata: (u) => ({
      status: "complete",
      model: answered?.label ?? choice.label,
      deployment: answered?.deploymentId ?? null,
      fallback: answered?.fallback ?? false,
      ...u,
    }),
    errorText: (error) => {
      // The first, original error is the one to explain; later ones wrap it.
      failure ??= describeModelFailure(error, { timedOut: abort.signal.reason === TIMEOUT });
      return failure.message;
    },
    // A timeout would otherwise end the stream with a bare abort and tell the browser nothing.
    abortText: () => (abort.signal.reason === TIMEOUT ? describeModelFailure(null, { timedOut: true }).message : undefined),
    onFirstText: () =>
      emit("first_token", { latencyMs: Date.now() - turnStarted, data: { provider: choice.provider, model: choice.modelId } }),
    onCancel: (reason) => abort.abort(reason),
    stallMs: e.STREAM_STALL_TIMEOUT_MS,
    coalesceMs: e.STREAM_COALESCE_MS,
    onEnd: async ({ outcome, parts, text: replyText, usage }) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onCallerGone);
      let status: TurnOutcome["status"];
      let error: string | null = null;
      if (outcome.status === "completed" && !failure) {
        status = "complete";
      } else if (failure || outcome.status === "failed") {
        failure ??= describeModelFailure(outcome.status === "failed" ? outcome.error : undefined);
        status = replyText ? "interrupted" : "error";
        error = failure.message;
      } else {
        status = "interrupted";
        error =
          abort.signal.reason === TIMEOUT
            ? describeModelFailure(null, { timedOut: true }).message
            : outcome.status === "stalled"
              ? "The connection was too slow to receive the reply, so it was stopped."
              : "Stopped before the reply finished.";
      }
      let unsaved: string | undefined;
      try {
        const saved = await storeFinalReply(scoped, assistantMessageId, {
          parts,
          status,
          error,
          inputTokens: usage.inputTokens ?? null,
          outputTokens: usage.outputTokens ?? null,
          ...(answered ? { model: answered.label, deploymentId: answered.deploymentId, fallback: answered.fallback } : {}),
        });
        if (!saved) {
          // Both doors are told: the reply they saw is not (fully) stored.
          unsaved = UNSAVED;
          failure = { kind: "storage", message: UNSAVED };
          status = "error";
          error = UNSAVED;
        }
      } finally {
        emit(status === "complete" ? "response_completed" : status === "error" ? "response_failed" : "response_interrupted", {
          at: Date.now(),
          latencyMs: Date.now() - turnStarted,
          outcome: status === "complete" ? "success" : "failure",
          output: replyText,
          data: {
            assistantMessageId,
            chars: replyText.length,
            ...usage,
            ...(error ? { reason: error } : {}),
            ...(failure ? { failure: failure.kind, status: failure.status } : {}),
          },
        });
        resolveDone({ status, text: replyText, failure });
      }
      return unsaved ? { errorText: unsaved } : undefined;
    },
    onCheckpoint: (parts) => scoped.messages.saveProgress(assistantMessageId, parts),
    checkpointMs: e.STREAM_CHECKPOINT_MS,
  });

  return {
    conversationId: req.id,
    assistantMessageId,
    createdConversation: started.createdConversation,
    modelLabel: choice.label,
    sse: () => reply.sse(),
    chunks: () => reply.chunks(),
    opened: async () => {
      const { failed } = await reply.opened();
      const refusal = failed === undefined ? null : statusFor(failed);
      if (!refusal) return;
      // Nothing has reached the caller yet: store the reply's error state, then answer with a
      // status code (503, 429 with Retry-After) instead of a stream that only says it failed.
      const r = reply.chunks().getReader();
      while (!(await r.read()).done) {
        /* drain */
      }
      await done;
      throw refusal;
    },
    done,
  };
}

/** The gateway's own refusals become status codes; a provider's error stays in the stream. */
function statusFor(error: unknown): AppError | null {
  if (!(error instanceof GatewayError)) return null;
  const f = describeModelFailure(error);
  const retryAfterSeconds = f.retryAfterSeconds ?? 5;
  if (f.kind === "rate_limited") return new AppError("rate_limited", f.message, { retryAfterSeconds, reason: "provider_rate_limited" });
  if (f.kind === "provider_error" && f.status === 503) return new AppError("unavailable", f.message, { retryAfterSeconds, reason: "model_unavailable" });
  return null;
}

const UNSAVED = "Enclave could not save this reply, so it may be missing after a reload. Your message is saved; retry in a moment.";

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

function errorSummary(error: unknown): { name: string; message: string; status?: number } {
  if (error instanceof Error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return { name: error.name, message: error.message.slice(0, 300), ...(typeof status === "number" ? { status } : {}) };
  }
  return { name: "unknown", message: String(error).slice(0, 300) };
}

/**
 * Everything before the model call: the user's message stored (with the reply's placeholder)
 * and the context the model will see, built from the server's own history.
 */
async function prepareTurn(principal: Principal, req: ChatRequest, text: string, opts: TurnOptions) {
  const e = env();
  const scoped = db.for(principal);
  const choice = await getLanguageModel("large");
  const assistantMessageId = randomUUID();
  const now = Date.now();
  const userMessage: StoredMessage = {
    id: req.message.id,
    conversationId: req.id,
    role: "user",
    parts: req.message.parts,
    status: "complete",
    model: null,
    inputTokens: null,
    outputTokens: null,
    error: null,
    createdAt: new Date(now),
  };
  // One statement, one round trip: the user's message is stored before any model call, and the
  // history the model sees is read from the server's own rows as they were just before it.
  const t0 = performance.now();
  const started = await scoped.messages.startTurn({
    conversationId: req.id,
    title: titleFrom(text),
    userMessage: { id: userMessage.id, parts: userMessage.parts, createdAt: userMessage.createdAt },
    assistantMessage: { id: assistantMessageId, model: choice.label, createdAt: new Date(now + 1), requestId: opts.requestId, instanceId: instanceId() },
    historyLimit: e.HISTORY_MESSAGE_LIMIT,
  });
  opts.timing?.add("persist", performance.now() - t0);
  const { history, retriedAt } = started;

  // A retry resends a stored message: the context is what came before it, then that message as
  // stored (the replies it superseded are gone). Otherwise: the earlier messages, then this one.
  const context: StoredMessage[] = retriedAt
    ? [...history.filter((m) => m.createdAt < retriedAt), history.find((m) => m.id === req.message.id) ?? userMessage]
    : [...history, userMessage];
  const messages = await convertToModelMessages(forModel(context));

  return { scoped, choice, assistantMessageId, now, started, messages };
}
