import type { UIMessageChunk } from "ai";
import type { MessageStatus } from "@/lib/db";
import type { ServerTiming } from "@/lib/observability/server-timing";
import type { ModelFailure } from "./model-errors";
import type { MessageMetadata } from "./ui-messages";

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
   * stops every model call of the turn.
   */
  sse(): ReadableStream<Uint8Array>;
  chunks(): ReadableStream<UIMessageChunk<MessageMetadata>>;
  /**
   * Resolves once the turn has begun its reply. Throws an AppError (503 or 429 with
   * Retry-After) when the gateway refused before anything streamed: no free slot in time, every
   * deployment cooling down, a rate limit longer than the turn may wait. Call it before sending
   * the response head; other failures arrive in the stream.
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
