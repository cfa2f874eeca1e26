import { toUIMessageChunk, type TextStreamPart, type ToolSet, type UIMessageChunk } from "ai";
import type { TraceChunk } from "@/lib/agents/types";
import { storableString, storableValue } from "./storable";
import type { MessageMetadata } from "./ui-messages";

/**
 * The reply's one stream stage: the model's parts become UI message chunks, text deltas that
 * arrive close together are merged, the stored form of the reply is accumulated, and the caller
 * gets either SSE bytes (the browser) or the chunks (the OpenAI-compatible door).
 *
 * Why one stage: the AI SDK's own path (toUIMessageStream → its finish handler → JSON-to-SSE →
 * TextEncoderStream, plus our forwarding stream) is seven web-stream hops, each a few promises per
 * chunk, and its finish handler rebuilds the message with `text += delta`, quadratic over a long
 * reply. Here each part costs one conversion and an array push; encoding happens once per frame.
 */

type Chunk = UIMessageChunk<MessageMetadata>;

export type ReplyOutcome =
  | { status: "completed" }
  | { status: "failed"; error: unknown }
  /** The model call was aborted (timeout, stop) or the stream ended without finishing. */
  | { status: "aborted" }
  /** The reader went away (client disconnect, stream cancelled). */
  | { status: "cancelled" }
  /** The reader stopped reading: its unread backlog stayed full past the stall limit. */
  | { status: "stalled" };

/**
 * What of a reply is kept: text parts, finished tool calls and the trace's data parts (the last
 * value of each id), in the order they first appeared.
 */
export type StoredReplyPart =
  | { type: "text"; text: string }
  | { type: "data-trace"; id: string; data: unknown }
  | { type: string; toolCallId: string; state: "output-available" | "output-error"; input: unknown; output: unknown; errorText: string | undefined };

export interface ReplyResult {
  outcome: ReplyOutcome;
  parts: StoredReplyPart[];
  text: string;
  usage: { inputTokens?: number; outputTokens?: number };
}

/** What the reply is made of: the model's parts, and the trace's data parts between them. */
export type ReplySourcePart = TextStreamPart<ToolSet> | TraceChunk;

export interface ReplyStreamOptions {
  source: ReadableStream<ReplySourcePart>;
  messageId: string;
  tools?: ToolSet;
  startMetadata: () => MessageMetadata;
  finishMetadata: (usage: ReplyResult["usage"]) => MessageMetadata;
  /** The text the client sees for a model error. */
  errorText: (error: unknown) => string;
  /** After an abort part: the reason to show the client (e.g. a timeout), or none. */
  abortText?: () => string | undefined;
  onFirstText?: () => void;
  /** The reader went away or stalled: stop the model call. */
  onCancel: (reason: unknown) => void;
  /**
   * Called once, when the reply has ended in any way; the stream closes after it settles. An
   * `errorText` it returns is sent to the reader last (e.g. the reply could not be saved).
   */
  onEnd: (result: ReplyResult) => Promise<void | { errorText?: string }>;
  /** Saves the reply so far while it streams, at most once per `checkpointMs`, never two at once. */
  onCheckpoint?: (parts: StoredReplyPart[]) => Promise<void>;
  checkpointMs?: number;
  /** Text deltas within this window after the first are merged into one frame. Default 20 ms. */
  coalesceMs?: number;
  /** A reader that leaves its backlog full this long is dropped. */
  stallMs: number;
  /** Unsent text held while the reader is behind before the model stream is paused. Default 64 KiB. */
  maxPendingChars?: number;
}

export interface ReplyStream {
  /**
   * Settles once the model has produced the reply's first real part (or failed before it).
   * `failed` is the error when nothing but the stream's preamble came before it.
   */
  opened(): Promise<{ failed?: unknown }>;
  /** The reply as SSE (`data: <chunk>\n\n` … `data: [DONE]\n\n`), as the AI SDK's UI stream protocol. */
  sse(): ReadableStream<Uint8Array>;
  /** The reply as UI message chunks. */
  chunks(): ReadableStream<Chunk>;
}

interface Sink {
  write(chunks: Chunk[]): void;
  end(): void;
  /** Room left in the reader's queue (≤ 0: the reader is behind). */
  room(): number;
}

class StalledError extends Error {}

const encoder = new TextEncoder();
const SSE_DONE = encoder.encode("data: [DONE]\n\n");
/** Frames queued for a reader that is behind before the model stream waits (besides pending text). */
const MAX_QUEUED_FRAMES = 16;
/** Parts a model stream sends before anything the reader would see as the reply itself. */
const PREAMBLE = new Set<string>(["start", "start-step", "raw", "response-metadata", "stream-start", "text-start", "reasoning-start"]);

export function createReplyStream(opts: ReplyStreamOptions): ReplyStream {
  const coalesceMs = opts.coalesceMs ?? 20;
  const maxPending = opts.maxPendingChars ?? 64 * 1024;
  const reader = opts.source.getReader();
  // Reading starts now, so the model call goes out while the caller sets up the response, and
  // runs until the reply's first real part: until then nothing has reached the caller, so a
  // failure can still be answered with a status code instead of a broken stream (see opened()).
  const early: ReplySourcePart[] = [];
  let earlyEnd: { done: true } | { error: unknown } | null = null;
  const opening: Promise<{ failed?: unknown }> = (async () => {
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) {
          earlyEnd = { done: true };
          return {};
        }
        early.push(r.value);
        if (r.value.type === "error") return { failed: r.value.error };
        if (!PREAMBLE.has(r.value.type)) return {};
      }
    } catch (err) {
      earlyEnd = { error: err };
      return { failed: err };
    }
  })();

  const acc = new ReplyAccumulator();
  let attached = false;
  let ended = false;
  let firstTextSent = false;
  let sawOutcome: ReplyOutcome | null = null;
  let usage: ReplyResult["usage"] = {};
  const invalidToolCalls = new Set<string>();

  let pending: { id: string; pieces: string[]; chars: number } | null = null;
  let coalesceTimer: ReturnType<typeof setTimeout> | null = null;
  let wakeReader: (() => void) | null = null;
  let stallTimer: ReturnType<typeof setTimeout> | null = null;
  let sink: Sink;
  let dirty = false;
  let checkpointTimer: ReturnType<typeof setTimeout> | null = null;
  let checkpointing: Promise<void> | null = null;
  /** The output was closed, or cancelled by its reader: nothing more may be enqueued. */
  let closed = false;

  const flush = (extra?: Chunk) => {
    if (coalesceTimer) clearTimeout(coalesceTimer);
    coalesceTimer = null;
    const out: Chunk[] = [];
    if (pending) out.push({ type: "text-delta", id: pending.id, delta: pending.pieces.length === 1 ? pending.pieces[0]! : pending.pieces.join("") });
    pending = null;
    if (extra) out.push(extra);
    if (out.length > 0) sink.write(out);
  };

  const onPull = () => {
    // The reader caught up: send what was held back, and let the model stream go on.
    if (pending && !coalesceTimer) flush();
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = null;
    const wake = wakeReader;
    wakeReader = null;
    wake?.();
  };

  /** Read on while the reader keeps up, or while what it has not taken yet is small. */
  const roomToRead = async () => {
    const room = sink.room();
    if (room > 0 || ((pending?.chars ?? 0) < maxPending && room > -MAX_QUEUED_FRAMES)) return;
    await new Promise<void>((resolve, reject) => {
      wakeReader = resolve;
      stallTimer = setTimeout(() => reject(new StalledError()), opts.stallMs);
    });
  };

  const handle = (part: ReplySourcePart) => {
    if (part.type === "data-trace") {
      // Passed through as is (the same id again replaces it in the client's message).
      acc.add(part);
      flush(part);
      return;
    }
    if (part.type === "tool-call" && part.invalid) invalidToolCalls.add(part.toolCallId);
    if (part.type === "tool-error" && !part.providerExecuted && invalidToolCalls.delete(part.toolCallId)) return;
    if (part.type === "finish") {
      usage = { inputTokens: part.totalUsage.inputTokens, outputTokens: part.totalUsage.outputTokens };
      sawOutcome ??= { status: "completed" };
    } else if (part.type === "error") {
      if (!sawOutcome || sawOutcome.status !== "failed") sawOutcome = { status: "failed", error: part.error };
    } else if (part.type === "abort") {
      sawOutcome ??= { status: "aborted" };
    }
    const messageMetadata = part.type === "start" ? opts.startMetadata() : part.type === "finish" ? opts.finishMetadata(usage) : undefined;
    const chunk = toUIMessageChunk(part, {
      tools: opts.tools,
      // A tool that fails (or one the model made up) is part of the answer, not a failed reply.
      onError: part.type === "tool-call" || part.type === "tool-error" ? toolErrorText : opts.errorText,
      messageMetadata,
      responseMessageId: opts.messageId,
    }) as Chunk | undefined;
    if (!chunk) return;
    acc.add(chunk);
    if (opts.onCheckpoint && !dirty && (chunk.type === "text-delta" || chunk.type.startsWith("tool-"))) {
      dirty = true;
      checkpointTimer ??= setTimeout(checkpoint, opts.checkpointMs ?? 2000);
    }
    if (chunk.type === "text-delta") {
      if (!firstTextSent && chunk.delta.length > 0) {
        firstTextSent = true;
        opts.onFirstText?.();
        flush(chunk);
        return;
      }
      if (pending && pending.id !== chunk.id) flush();
      if (!pending) {
        pending = { id: chunk.id, pieces: [], chars: 0 };
        coalesceTimer = setTimeout(() => {
          coalesceTimer = null;
          // A reader that is behind gets the merged text when it next asks.
          if (sink.room() > 0) flush();
        }, coalesceMs);
      }
      pending.pieces.push(chunk.delta);
      pending.chars += chunk.delta.length;
      return;
    }
    flush(chunk);
    if (chunk.type === "abort") {
      const why = opts.abortText?.();
      if (why) sink.write([{ type: "error", errorText: why }]);
    }
  };

  /** Off the hot path: the text is joined once per interval, and a slow save skips a beat. */
  const checkpoint = () => {
    checkpointTimer = null;
    if (ended || !dirty || checkpointing || !opts.onCheckpoint) return;
    dirty = false;
    checkpointing = opts
      .onCheckpoint(acc.result().parts)
      .catch(() => {})
      .finally(() => {
        checkpointing = null;
        if (dirty && !ended) checkpointTimer ??= setTimeout(checkpoint, opts.checkpointMs ?? 2000);
      });
  };

  const finish = async (outcome: ReplyOutcome) => {
    if (ended) return;
    ended = true;
    for (const t of [coalesceTimer, stallTimer, checkpointTimer]) if (t) clearTimeout(t);
    coalesceTimer = stallTimer = checkpointTimer = null;
    // The final write goes after any save in flight, so an older snapshot never lands last.
    await checkpointing;
    const { parts, text } = acc.result();
    try {
      const after = await opts.onEnd({ outcome, parts, text, usage });
      if (after?.errorText) sink.write([{ type: "error", errorText: after.errorText }]);
    } finally {
      sink.end();
    }
  };

  const pump = async () => {
    try {
      await opening;
      for (const part of early.splice(0)) handle(part);
      const end = earlyEnd as { done: true } | { error: unknown } | null;
      if (end && "error" in end) throw end.error;
      for (;;) {
        if (end) break;
        await roomToRead();
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) break;
        handle(value);
      }
      flush();
      await finish(sawOutcome ?? { status: "aborted" });
    } catch (err) {
      if (ended) return;
      if (err instanceof StalledError) {
        opts.onCancel(new Error("the client stopped reading the reply"));
        reader.cancel(err).catch(() => {});
        sink.write([{ type: "error", errorText: "The connection was too slow to receive the reply, so it was stopped." }]);
        await finish({ status: "stalled" });
        return;
      }
      flush();
      const failure: ReplyOutcome = { status: "failed", error: err };
      sink.write([{ type: "error", errorText: opts.errorText(err) }]);
      await finish(failure);
    }
  };

  const cancel = (reason: unknown) => {
    if (ended) return;
    opts.onCancel(reason ?? new Error("stream cancelled"));
    // Not awaited: a cancel that waits on upstream clean-up makes Next log "failed to pipe".
    closed = true;
    reader.cancel(reason).catch(() => {});
    const wake = wakeReader;
    wakeReader = null;
    wake?.();
    void finish({ status: "cancelled" });
  };

  const attach = () => {
    if (attached) throw new Error("a reply stream has one reader");
    attached = true;
  };

  return {
    opened: () => opening,
    sse() {
      attach();
      return new ReadableStream<Uint8Array>(
        {
          start(controller) {
            sink = {
              write(chunks) {
                if (closed) return;
                let s = "";
                for (const c of chunks) s += `data: ${JSON.stringify(c)}\n\n`;
                controller.enqueue(encoder.encode(s));
              },
              end() {
                if (closed) return;
                closed = true;
                controller.enqueue(SSE_DONE);
                controller.close();
              },
              room: () => controller.desiredSize ?? 1,
            };
            void pump();
          },
          pull: onPull,
          cancel,
        },
        { highWaterMark: 2 },
      );
    },
    chunks() {
      attach();
      return new ReadableStream<Chunk>(
        {
          start(controller) {
            sink = {
              write(chunks) {
                if (!closed) for (const c of chunks) controller.enqueue(c);
              },
              end() {
                if (closed) return;
                closed = true;
                controller.close();
              },
              room: () => controller.desiredSize ?? 1,
            };
            void pump();
          },
          pull: onPull,
          cancel,
        },
        { highWaterMark: 4 },
      );
    },
  };
}

function toolErrorText(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : "The tool failed.";
}

type ToolRecord = { kind: "tool"; toolCallId: string; toolName: string; input?: unknown; output?: unknown; errorText?: string; state?: "output-available" | "output-error" };
type TextRecord = { kind: "text"; pieces: string[] };
type DataRecord = { kind: "data"; id: string; data: unknown };

/**
 * The stored form of the reply, built as chunks pass: text kept as pieces and joined once, and
 * made storable (no NUL, no lone surrogate) when it is read.
 */
class ReplyAccumulator {
  private readonly records: Array<TextRecord | ToolRecord | DataRecord> = [];
  private readonly data = new Map<string, DataRecord>();
  private readonly activeText = new Map<string, TextRecord>();
  private readonly tools = new Map<string, ToolRecord>();

  add(c: Chunk | TraceChunk): void {
    if (c.type === "data-trace") {
      const id = c.id ?? "trace";
      const d = this.data.get(id);
      if (d) d.data = c.data;
      else {
        const r: DataRecord = { kind: "data", id, data: c.data };
        this.data.set(id, r);
        this.records.push(r);
      }
      return;
    }
    switch (c.type) {
      case "text-start": {
        const r: TextRecord = { kind: "text", pieces: [] };
        this.records.push(r);
        this.activeText.set(c.id, r);
        return;
      }
      case "text-delta": {
        let r = this.activeText.get(c.id);
        if (!r) {
          r = { kind: "text", pieces: [] };
          this.records.push(r);
          this.activeText.set(c.id, r);
        }
        r.pieces.push(c.delta);
        return;
      }
      case "text-end":
        this.activeText.delete(c.id);
        return;
      case "tool-input-start":
        this.tool(c.toolCallId, c.toolName);
        return;
      case "tool-input-available":
      case "tool-input-error": {
        const t = this.tool(c.toolCallId, c.toolName);
        t.input = c.input;
        if (c.type === "tool-input-error") {
          t.state = "output-error";
          t.errorText = c.errorText;
        }
        return;
      }
      case "tool-output-available": {
        const t = this.tools.get(c.toolCallId);
        if (t && !c.preliminary) {
          t.output = c.output;
          t.state = "output-available";
        }
        return;
      }
      case "tool-output-error": {
        const t = this.tools.get(c.toolCallId);
        if (t) {
          t.errorText = c.errorText;
          t.state = "output-error";
        }
        return;
      }
      default:
        return;
    }
  }

  private tool(toolCallId: string, toolName: string): ToolRecord {
    let t = this.tools.get(toolCallId);
    if (!t) {
      t = { kind: "tool", toolCallId, toolName };
      this.tools.set(toolCallId, t);
      this.records.push(t);
    }
    return t;
  }

  result(): { parts: StoredReplyPart[]; text: string } {
    const parts: StoredReplyPart[] = [];
    let text = "";
    for (const r of this.records) {
      if (r.kind === "text") {
        const t = storableString(r.pieces.join(""));
        if (t.length > 0) {
          parts.push({ type: "text", text: t });
          text += t;
        }
      } else if (r.kind === "data") {
        parts.push({ type: "data-trace", id: storableString(r.id), data: storableValue(r.data) });
      } else if (r.state) {
        parts.push({
          type: `tool-${storableString(r.toolName)}`,
          toolCallId: storableString(r.toolCallId),
          state: r.state,
          input: storableValue(r.input),
          output: storableValue(r.output),
          errorText: r.errorText === undefined ? undefined : storableString(r.errorText),
        });
      }
    }
    return { parts, text };
  }
}
