import type { FinishReason, UIMessageChunk } from "ai";
import type { MessageMetadata } from "@/lib/chat/ui-messages";

/**
 * Translates a chat turn's AI SDK UI message chunks into OpenAI's chat-completion shapes: the
 * `chat.completion.chunk` events of a streamed answer, and the state a non-streamed
 * `chat.completion` is built from. Pure: no I/O, so every case can be unit-tested.
 */

export type OpenAIFinishReason = "stop" | "length" | "content_filter" | "tool_calls";

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    delta: { role?: "assistant"; content?: string };
    logprobs: null;
    finish_reason: OpenAIFinishReason | null;
  }>;
  usage?: OpenAIUsage | null;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    message: { role: "assistant"; content: string; refusal: null };
    logprobs: null;
    finish_reason: OpenAIFinishReason;
  }>;
  usage: OpenAIUsage;
}

/** One server-sent event's data: a chunk, an error, or the `[DONE]` sentinel. */
export type StreamEvent = ChatCompletionChunk | OpenAIErrorBody | "[DONE]";

export interface CompletionMeta {
  /** `chatcmpl-<assistant message id>`. */
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  /** `stream_options.include_usage`: a final chunk with `choices: []` and the usage. */
  includeUsage?: boolean;
}

export const MODEL_ERROR_CODE = "model_error";

export function completionId(assistantMessageId: string): string {
  return `chatcmpl-${assistantMessageId}`;
}

export function toFinishReason(reason: FinishReason | undefined): OpenAIFinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "content-filter":
      return "content_filter";
    case "tool-calls":
      return "tool_calls";
    default:
      return "stop";
  }
}

export function modelErrorBody(message: string, code: string = MODEL_ERROR_CODE): OpenAIErrorBody {
  return { error: { message, type: "server_error", param: null, code } };
}

type Chunk = UIMessageChunk<MessageMetadata>;

export class CompletionTranslator {
  private started = false;
  private finished = false;
  private failedWith: string | null = null;
  private parts: string[] = [];
  private inputTokens: number | null = null;
  private outputTokens: number | null = null;
  private reason: OpenAIFinishReason = "stop";

  constructor(private readonly meta: CompletionMeta) {}

  /** The reply's text so far. */
  get text(): string {
    return this.parts.join("");
  }

  /** The failure's message, if the reply failed (an error chunk, an abort, or no finish). */
  get error(): string | null {
    return this.failedWith;
  }

  get finishReason(): OpenAIFinishReason {
    return this.reason;
  }

  get usage(): OpenAIUsage {
    const prompt = this.inputTokens ?? 0;
    const completion = this.outputTokens ?? 0;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  /** The events this chunk becomes (often none). Nothing more is produced after a failure. */
  push(chunk: Chunk): StreamEvent[] {
    if (this.failedWith !== null || this.finished) return [];
    switch (chunk.type) {
      case "start":
        return this.begin();
      case "text-delta": {
        if (!chunk.delta) return [];
        this.parts.push(chunk.delta);
        return [...this.begin(), this.chunk({ content: chunk.delta }, null)];
      }
      case "message-metadata":
        this.takeUsage(chunk.messageMetadata);
        return [];
      case "finish": {
        this.takeUsage(chunk.messageMetadata);
        this.reason = toFinishReason(chunk.finishReason);
        this.finished = true;
        return [...this.begin(), this.chunk({}, this.reason)];
      }
      case "error":
        return this.fail(chunk.errorText || "The model failed to answer. Your message is saved; retry in a moment.");
      case "abort":
        return this.fail("The reply was stopped before it finished. Your message is saved; retry in a moment.");
      default:
        // Reasoning, tool and step chunks have no place in a plain chat completion.
        return [];
    }
  }

  /** What follows the last chunk: the usage chunk and `[DONE]`, or an error if the reply never finished. */
  end(): StreamEvent[] {
    if (this.failedWith !== null) return [];
    if (!this.finished) return this.fail("The reply ended before it finished. Your message is saved; retry in a moment.");
    const out: StreamEvent[] = [];
    if (this.meta.includeUsage) out.push({ ...this.base(), choices: [], usage: this.usage });
    out.push("[DONE]");
    return out;
  }

  /** The non-streamed answer, once every chunk has been pushed and the reply finished. */
  completion(): ChatCompletion {
    return {
      id: this.meta.id,
      object: "chat.completion",
      created: this.meta.created,
      model: this.meta.model,
      choices: [{ index: 0, message: { role: "assistant", content: this.text, refusal: null }, logprobs: null, finish_reason: this.reason }],
      usage: this.usage,
    };
  }

  private base(): Omit<ChatCompletionChunk, "choices"> {
    return { id: this.meta.id, object: "chat.completion.chunk", created: this.meta.created, model: this.meta.model };
  }

  private chunk(delta: ChatCompletionChunk["choices"][0]["delta"], finishReason: OpenAIFinishReason | null): ChatCompletionChunk {
    return {
      ...this.base(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.meta.includeUsage ? { usage: null } : {}),
    };
  }

  /** OpenAI's first chunk: the role, with empty content. Sent once. */
  private begin(): StreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [this.chunk({ role: "assistant", content: "" }, null)];
  }

  private fail(message: string): StreamEvent[] {
    this.failedWith = message;
    return [modelErrorBody(message)];
  }

  private takeUsage(m: MessageMetadata | undefined): void {
    if (typeof m?.inputTokens === "number") this.inputTokens = m.inputTokens;
    if (typeof m?.outputTokens === "number") this.outputTokens = m.outputTokens;
  }
}

/** `data: …\n\n`, the way OpenAI frames each event. */
export function encodeSseEvent(event: StreamEvent): string {
  return `data: ${event === "[DONE]" ? "[DONE]" : JSON.stringify(event)}\n\n`;
}

/**
 * The SSE body of a streamed completion. Reads the turn's stream only as fast as the client
 * takes events; when the client goes away, the turn's stream is cancelled, which stops the
 * model and stores the partial reply as interrupted.
 */
export function toSseStream(turnStream: ReadableStream<Chunk>, translator: CompletionTranslator): ReadableStream<Uint8Array> {
  const reader = turnStream.getReader();
  const encoder = new TextEncoder();
  // Once the client has gone (cancel) or the answer has ended (close), nothing more is enqueued.
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Keep reading until there is something to send, so every pull makes progress.
      while (!finished) {
        let next: ReadableStreamReadResult<Chunk>;
        try {
          next = await reader.read();
        } catch {
          next = { done: false, value: { type: "error", errorText: "The reply stream broke. Your message is saved; retry in a moment." } };
        }
        if (finished) return;
        const events = next.done ? translator.end() : translator.push(next.value);
        if (events.length > 0) controller.enqueue(encoder.encode(events.map(encodeSseEvent).join("")));
        if (next.done || translator.error !== null) {
          // A failure ends the answer; the turn winds down (and stores its state) on its own.
          if (!next.done) void drain(reader);
          finished = true;
          controller.close();
          return;
        }
        if (events.length > 0) return;
      }
    },
    cancel(reason) {
      if (finished) return;
      finished = true;
      // Cancelling the turn's stream stops the model; the partial reply is stored as interrupted.
      // Not awaited: the consumer that cancelled is gone and must not wait on the turn's clean-up.
      reader.cancel(reason ?? "client went away").catch(() => {});
    },
  });
}

async function drain(reader: ReadableStreamDefaultReader<unknown>): Promise<void> {
  try {
    while (!(await reader.read()).done) {
      /* discard */
    }
  } catch {
    /* the turn records its own failure */
  }
}
