import { randomUUID } from "node:crypto";
import { convertToModelMessages, isStepCount, streamText, toUIMessageStream, type ToolSet, type UIMessageChunk } from "ai";
import { toolsForTurn } from "@/lib/agents/tools";
import { observeModelCalls } from "@/lib/models/observe";
import { env } from "@/lib/config/env";
import { db, type MessageStatus, type StoredMessage } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { getLanguageModel } from "@/lib/models/registry";
import type { Principal } from "@/lib/principal";
import { describeModelFailure, type ModelFailure } from "./model-errors";
import { messageText, titleFrom, type ChatRequest } from "./schema";
import { turnEmitter } from "./turn-events";
import { logger } from "@/lib/observability/logger";
import type { ServerTiming } from "@/lib/observability/server-timing";
import { forModel, type EnclaveUIMessage, type MessageMetadata } from "./ui-messages";

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
  /** The reply as AI SDK UI message chunks; cancelling it stops the model call. */
  stream: ReadableStream<UIMessageChunk<MessageMetadata>>;
  /** Settles once the reply is stored in its final state (complete, interrupted or error). */
  done: Promise<TurnOutcome>;
}

export interface TurnOptions {
  requestId: string;
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
  emit("request_received", { input: text, data: { messageId: req.message.id, bytes } });

  let prepared: Awaited<ReturnType<typeof prepareTurn>>;
  try {
    prepared = await prepareTurn(principal, req, text, opts);
  } catch (err) {
    // A turn refused before the model (not found, conflict, database down) still closes its
    // record: the trail shows the attempt and why it went nowhere.
    emit("response_failed", {
      latencyMs: Date.now() - turnStarted,
      outcome: "failure",
      data: { stage: "persist", error: err instanceof AppError ? err.code : "internal" },
    });
    throw err;
  }
  const { scoped, choice, assistantMessageId, now, started, messages } = prepared;

  const abort = new AbortController();
  const onCallerGone = () => abort.abort(opts.signal?.reason ?? "caller went away");
  if (opts.signal?.aborted) onCallerGone();
  opts.signal?.addEventListener("abort", onCallerGone, { once: true });
  const timer = setTimeout(() => abort.abort(TIMEOUT), e.MODEL_TIMEOUT_MS);

  let failure: ModelFailure | undefined;
  let usage: { inputTokens?: number; outputTokens?: number } = {};
  let resolveDone!: (o: TurnOutcome) => void;
  const done = new Promise<TurnOutcome>((r) => (resolveDone = r));

  const model = observeModelCalls(choice.model, (call) =>
    emit("model_call", {
      at: call.startedAt,
      latencyMs: call.latencyMs,
      outcome: call.outcome,
      data: {
        provider: choice.provider,
        model: choice.modelId,
        attempt: call.attempt,
        call: call.call,
        inputTokens: call.inputTokens,
        outputTokens: call.outputTokens,
        finishReason: call.finishReason,
        ...(call.error ? { error: describeModelFailure(call.error, { timedOut: abort.signal.reason === TIMEOUT }).kind } : {}),
      },
    }),
  );
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
    maxRetries: e.MODEL_MAX_RETRIES,
    // The default handler prints whole provider errors (request bodies included) to stderr.
    onError: ({ error }) => {
      logger.warn({ component: "chat", requestId: opts.requestId, err: errorSummary(error) }, "model stream error");
    },
  });

  const ui = toUIMessageStream<ToolSet, EnclaveUIMessage>({
    stream: result.stream,
    generateMessageId: () => assistantMessageId,
    messageMetadata: ({ part }) => {
      if (part.type === "start") return { status: "streaming", model: choice.label, createdAt: new Date(now + 1).toISOString() };
      if (part.type === "finish") {
        usage = { inputTokens: part.totalUsage.inputTokens, outputTokens: part.totalUsage.outputTokens };
        return { status: "complete", model: choice.label, ...usage };
      }
      return undefined;
    },
    onError: (error) => {
      // Called again with its own wrapped result; the first, original error is the one to explain.
      failure ??= describeModelFailure(error, { timedOut: abort.signal.reason === TIMEOUT });
      return failure.message;
    },
    onEnd: async ({ responseMessage, outcome, isCancelled }) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onCallerGone);
      const parts = storableParts(responseMessage.parts);
      const replyText = parts.flatMap((p) => (p.type === "text" ? [(p as { text: string }).text] : [])).join("");
      let status: TurnOutcome["status"];
      let error: string | null = null;
      if (outcome.status === "completed" && !isCancelled && !failure) {
        status = "complete";
      } else if (failure || outcome.status === "failed") {
        failure ??= describeModelFailure(outcome.status === "failed" ? outcome.error : undefined);
        status = replyText ? "interrupted" : "error";
        error = failure.message;
      } else {
        status = "interrupted";
        error = abort.signal.reason === TIMEOUT ? describeModelFailure(null, { timedOut: true }).message : "Stopped before the reply finished.";
      }
      try {
        await scoped.messages.finish(assistantMessageId, {
          parts,
          status,
          error,
          inputTokens: usage.inputTokens ?? null,
          outputTokens: usage.outputTokens ?? null,
        });
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
    },
  });

  // Forward chunks ourselves so that a consumer cancelling (the browser went away) reliably
  // aborts the model call, whatever the framework does with the request's own signal. A broken
  // provider stream ends with an error chunk the client can show, not a torn connection.
  const reader = ui.getReader();
  // Ask for the first chunk now: the model call goes out while the framework is still sending
  // the response headers, instead of waiting until the response body is first read.
  let prefetched: ReturnType<typeof reader.read> | null = reader.read();
  prefetched.catch(() => {}); // handled where it is awaited; never an unhandled rejection
  let firstToken = false;
  const stream = new ReadableStream<UIMessageChunk<MessageMetadata>>({
    async pull(controller) {
      try {
        const next = prefetched ?? reader.read();
        prefetched = null;
        const { value, done: end } = await next;
        if (end) controller.close();
        else {
          if (!firstToken && value.type === "text-delta") {
            firstToken = true;
            emit("first_token", { latencyMs: Date.now() - turnStarted, data: { provider: choice.provider, model: choice.modelId } });
          }
          controller.enqueue(value);
        }
      } catch (err) {
        failure ??= describeModelFailure(err, { timedOut: abort.signal.reason === TIMEOUT });
        controller.enqueue({ type: "error", errorText: failure.message });
        controller.close();
      }
    },
    // Not awaited: a cancel that waits on upstream clean-up makes Next log "failed to pipe".
    cancel(reason) {
      abort.abort(reason ?? "stream cancelled");
      reader.cancel(reason).catch(() => {});
    },
  });
  return {
    conversationId: req.id,
    assistantMessageId,
    createdConversation: started.createdConversation,
    modelLabel: choice.label,
    stream,
    done,
  };
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
    assistantMessage: { id: assistantMessageId, model: choice.label, createdAt: new Date(now + 1) },
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

/**
 * What of a reply is kept: its text and its finished tool calls (name, input, output), so a
 * reload shows what the assistant did. Streaming state markers are dropped.
 */
function storableParts(parts: EnclaveUIMessage["parts"]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const p of parts) {
    if (p.type === "text") {
      if (p.text.length > 0) out.push({ type: "text", text: p.text });
    } else if (p.type.startsWith("tool-") && "toolCallId" in p) {
      const t = p as { type: string; toolCallId: string; state?: string; input?: unknown; output?: unknown; errorText?: string };
      if (t.state === "output-available" || t.state === "output-error") {
        out.push({ type: t.type, toolCallId: t.toolCallId, state: t.state, input: t.input, output: t.output, errorText: t.errorText });
      }
    }
  }
  return out;
}
