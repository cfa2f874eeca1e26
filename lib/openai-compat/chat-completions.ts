import { randomUUID } from "node:crypto";
import { TIMEOUT_MESSAGE, type ModelFailure } from "@/lib/chat/model-errors";
import { runChatTurn } from "@/lib/chat/turn";
import { getConversation } from "@/lib/conversations/queries";
import type { ServerTiming } from "@/lib/observability/server-timing";
import type { Principal } from "@/lib/principal";
import { modelNotFound, OpenAICompatError } from "./errors";
import { findModel } from "./models";
import { lastUserText, parseChatCompletionRequest, requestedConversationId } from "./schema";
import { completionId, CompletionTranslator, MODEL_ERROR_CODE, toSseStream } from "./translate";

/** The response header naming the conversation a completion was added to. */
export const CONVERSATION_HEADER = "x-enclave-conversation-id";

export interface CompletionOptions {
  requestId: string;
  clientRequestId?: string;
  /** The request's `x-enclave-conversation-id` header. */
  conversationHeader: string | null;
  signal?: AbortSignal;
  timing?: ServerTiming;
}

/**
 * POST /v1/chat/completions: one chat turn through the same pipeline as the browser
 * (runChatTurn: the user's message is stored before the model is called, the reply is stored
 * whatever happens), answered in OpenAI's format. Earlier messages in the request are not
 * replayed: the conversation's history lives on the server.
 */
export async function createChatCompletion(p: Principal, body: unknown, opts: CompletionOptions): Promise<Response> {
  const req = parseChatCompletionRequest(body);
  const model = findModel(req.model);
  if (!model) throw modelNotFound(req.model);

  const named = requestedConversationId(req, opts.conversationHeader);
  // Continuing names a conversation of mine that exists; anything else is not found, the same
  // answer for someone else's and for none at all.
  const conversationId = named ? (await getConversation(p, named)).id : randomUUID();

  const turn = await runChatTurn(
    p,
    { id: conversationId, message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: lastUserText(req) }] } },
    { requestId: opts.requestId, clientRequestId: opts.clientRequestId, signal: opts.signal, timing: opts.timing },
  );
  await turn.opened();
  const translator = new CompletionTranslator({
    id: completionId(turn.assistantMessageId),
    model: model.id,
    created: Math.floor(Date.now() / 1000),
    includeUsage: Boolean(req.stream_options?.include_usage),
  });
  const headers = { [CONVERSATION_HEADER]: turn.conversationId };

  if (req.stream) {
    return new Response(toSseStream(turn.chunks(), translator), {
      headers: {
        ...headers,
        "content-type": "text/event-stream; charset=utf-8",
        // no-transform keeps compression off: a gzip buffer would hold tokens back.
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  }

  const reader = turn.chunks().getReader();
  // An abort is followed by an error chunk saying why (a timeout); that reason is the one to report.
  let explained: string | null = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.type === "error" && value.errorText) explained = value.errorText;
    translator.push(value);
  }
  const outcome = await turn.done;
  translator.end();
  if (outcome.status !== "complete" || translator.error !== null) {
    throw modelFailed(outcome.failure, explained ?? translator.error);
  }
  return new Response(JSON.stringify(translator.completion()), {
    headers: { ...headers, "content-type": "application/json", "cache-control": "no-store" },
  });
}

/** Seconds a client is told to wait when the provider is busy and did not say how long. */
const DEFAULT_RETRY_AFTER_S = 5;

/**
 * The status an OpenAI client should see for the model's failure: the provider's own 429 (with
 * its Retry-After) and 503 passed on, a timeout as 504, a provider we could not reach as 503, and
 * anything else (a broken stream, a provider's 500) as 502.
 */
function modelFailed(failure: ModelFailure | undefined, fallback: string | null): OpenAICompatError {
  // A timeout stops the model with an abort, not an error: the turn reports it by its message.
  const f: ModelFailure | undefined = failure ?? (fallback === TIMEOUT_MESSAGE ? { kind: "timeout", message: TIMEOUT_MESSAGE } : undefined);
  const message = f?.message ?? fallback ?? "The model failed to answer. Your message is saved; retry in a moment.";
  const retryAfterSeconds = f?.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S;
  const opts = { openaiCode: MODEL_ERROR_CODE };
  switch (f?.kind) {
    case "timeout":
      return new OpenAICompatError("model_timeout", message, opts);
    case "rate_limited":
      return new OpenAICompatError("rate_limited", message, { ...opts, type: "requests", retryAfterSeconds });
    case "unreachable":
      return new OpenAICompatError("unavailable", message, { ...opts, retryAfterSeconds });
    case "provider_error":
      if (f.status === 503) return new OpenAICompatError("unavailable", message, { ...opts, retryAfterSeconds });
      return new OpenAICompatError("model_unavailable", message, opts);
    default:
      return new OpenAICompatError("model_unavailable", message, opts);
  }
}
