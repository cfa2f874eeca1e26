import { describe, expect, it, vi } from "vitest";
import type { TextStreamPart, ToolSet, UIMessageChunk } from "ai";
import { createReplyStream, type ReplyResult, type ReplyStreamOptions } from "./reply-stream";

type Part = TextStreamPart<ToolSet>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const start: Part = { type: "start" } as Part;
const textStart: Part = { type: "text-start", id: "t1" } as Part;
const delta = (text: string): Part => ({ type: "text-delta", id: "t1", text }) as Part;
const textEnd: Part = { type: "text-end", id: "t1" } as Part;
const finish: Part = {
  type: "finish",
  finishReason: "stop",
  rawFinishReason: "stop",
  totalUsage: { inputTokens: 5, outputTokens: 7, totalTokens: 12 },
} as unknown as Part;

/** A source that yields `parts`, waiting `gapMs` before each text delta; counts what was pulled. */
function source(parts: Part[], gapMs = 0) {
  const state = { pulled: 0, cancelled: null as unknown };
  let i = 0;
  const stream = new ReadableStream<Part>(
    {
      async pull(c) {
        if (i >= parts.length) return c.close();
        const p = parts[i++]!;
        if (gapMs && p.type === "text-delta") await sleep(gapMs);
        state.pulled++;
        c.enqueue(p);
      },
      cancel(reason) {
        state.cancelled = reason ?? "cancelled";
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

function options(src: ReadableStream<Part>, over: Partial<ReplyStreamOptions> = {}) {
  const ended: ReplyResult[] = [];
  const cancelled: unknown[] = [];
  const opts: ReplyStreamOptions = {
    source: src,
    messageId: "m1",
    startMetadata: () => ({ status: "streaming" }),
    finishMetadata: (u) => ({ status: "complete", ...u }),
    errorText: () => "the model failed",
    onCancel: (r) => cancelled.push(r),
    onEnd: async (r) => {
      ended.push(r);
    },
    stallMs: 10_000,
    ...over,
  };
  return { opts, ended, cancelled };
}

async function readAll<T>(s: ReadableStream<T>, onChunk?: (c: T, at: number) => void): Promise<T[]> {
  const out: T[] = [];
  const reader = s.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
    onChunk?.(value, performance.now());
  }
}

function sseFrames(bytes: Uint8Array[]): string[] {
  const text = bytes.map((b) => new TextDecoder().decode(b)).join("");
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((f) => f.replace(/^data: /, ""));
}

describe("reply stream", () => {
  it("sends the first text delta at once and merges the deltas that follow within the window", async () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i} `);
    const { stream } = source([start, textStart, ...words.map(delta), textEnd, finish], 2);
    const { opts, ended } = options(stream, { coalesceMs: 20 });
    const t0 = performance.now();
    let firstAt = NaN;
    const chunks = await readAll(createReplyStream(opts).chunks(), (c, at) => {
      if (c.type === "text-delta" && Number.isNaN(firstAt)) firstAt = at;
    });
    const deltas = chunks.filter((c): c is Extract<UIMessageChunk, { type: "text-delta" }> => c.type === "text-delta");
    expect(deltas[0]!.delta).toBe("w0 ");
    // 30 deltas ~2 ms apart in 20 ms windows: a handful of frames, not 30.
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.length).toBeLessThan(15);
    expect(deltas.map((d) => d.delta).join("")).toBe(words.join(""));
    // The first frame did not wait for a window (generous bound: one gap plus scheduling).
    expect(firstAt - t0).toBeLessThan(200);
    expect(chunks.map((c) => c.type)).toEqual(["start", "text-start", ...deltas.map(() => "text-delta"), "text-end", "finish"]);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ outcome: { status: "completed" }, text: words.join(""), parts: [{ type: "text", text: words.join("") }] });
    expect(ended[0]!.usage).toEqual({ inputTokens: 5, outputTokens: 7 });
  });

  it("passes the trace's data parts through as they come, and stores the last value of each id before the answer", async () => {
    const plan = (status: string) => ({ type: "data-trace", id: "plan", data: { kind: "plan", status, tier: "small" } }) as unknown as Part;
    const branch = (status: string) => ({ type: "data-trace", id: "branch:research", data: { kind: "branch", agent: "research", status } }) as unknown as Part;
    const { stream } = source([start, plan("running"), plan("done"), branch("running"), branch("done"), textStart, delta("Answer"), textEnd, finish]);
    const { opts, ended } = options(stream);
    const reply = createReplyStream(opts);
    // A trace part is the reply's first real part: the turn has begun.
    expect(await reply.opened()).toEqual({});
    const chunks = await readAll(reply.chunks());
    expect(chunks.filter((c) => c.type === "data-trace").map((c) => [(c as { id: string }).id, (c as { data: { status: string } }).data.status])).toEqual([
      ["plan", "running"],
      ["plan", "done"],
      ["branch:research", "running"],
      ["branch:research", "done"],
    ]);
    expect(ended[0]!.parts).toEqual([
      { type: "data-trace", id: "plan", data: { kind: "plan", status: "done", tier: "small" } },
      { type: "data-trace", id: "branch:research", data: { kind: "branch", agent: "research", status: "done" } },
      { type: "text", text: "Answer" },
    ]);
    expect(ended[0]!.text).toBe("Answer");
  });

  it("encodes SSE in the AI SDK's UI message protocol, ending with [DONE]", async () => {
    const { stream } = source([start, textStart, delta("Hello"), delta(" world"), textEnd, finish]);
    const { opts } = options(stream);
    const frames = sseFrames(await readAll(createReplyStream(opts).sse()));
    expect(frames.at(-1)).toBe("[DONE]");
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as UIMessageChunk);
    expect(chunks[0]).toEqual({ type: "start", messageId: "m1", messageMetadata: { status: "streaming" } });
    expect(chunks.filter((c) => c.type === "text-delta").map((c) => (c as { delta: string }).delta).join("")).toBe("Hello world");
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { status: "complete", inputTokens: 5, outputTokens: 7 } });
  });

  it("flushes held-back text before any other chunk, so order is kept", async () => {
    const tool: Part[] = [
      { type: "tool-input-start", id: "c1", toolName: "calculator" } as Part,
      { type: "tool-call", toolCallId: "c1", toolName: "calculator", input: { expression: "1+1" } } as Part,
      { type: "tool-result", toolCallId: "c1", toolName: "calculator", input: { expression: "1+1" }, output: { result: 2 } } as Part,
    ];
    const { stream } = source([start, textStart, delta("a"), delta("b"), delta("c"), textEnd, ...tool, finish]);
    const { opts, ended } = options(stream, { coalesceMs: 1000 });
    const chunks = await readAll(createReplyStream(opts).chunks());
    expect(chunks.map((c) => c.type)).toEqual([
      "start",
      "text-start",
      "text-delta",
      "text-delta",
      "text-end",
      "tool-input-start",
      "tool-input-available",
      "tool-output-available",
      "finish",
    ]);
    expect(ended[0]!.parts).toEqual([
      { type: "text", text: "abc" },
      { type: "tool-calculator", toolCallId: "c1", state: "output-available", input: { expression: "1+1" }, output: { result: 2 }, errorText: undefined },
    ]);
  });

  it("stops reading the model while the reader is behind, and drops a reader that stalls", async () => {
    const many = Array.from({ length: 5000 }, (_, i) => delta(`token${i} `));
    const { stream, state } = source([start, textStart, ...many, textEnd, finish]);
    const { opts, ended, cancelled } = options(stream, { stallMs: 150, maxPendingChars: 2000 });
    const out = createReplyStream(opts).sse();
    const reader = out.getReader();
    await reader.read(); // the reader takes one frame, then stops reading
    await vi.waitFor(() => expect(ended).toHaveLength(1), { timeout: 5000 });
    expect(ended[0]!.outcome).toEqual({ status: "stalled" });
    // Backpressure: a bounded amount was pulled from the model, not the whole reply.
    expect(state.pulled).toBeLessThan(1000);
    expect(state.cancelled).not.toBeNull();
    expect(cancelled).toHaveLength(1);
    expect(ended[0]!.text.length).toBeGreaterThan(0);
  });

  it("a reader that cancels stops the model stream and ends the reply as cancelled with what it had", async () => {
    const many = Array.from({ length: 100 }, (_, i) => delta(`t${i} `));
    const { stream, state } = source([start, textStart, ...many, textEnd, finish], 5);
    const { opts, ended, cancelled } = options(stream);
    const reader = createReplyStream(opts).chunks().getReader();
    for (let i = 0; i < 4; i++) await reader.read();
    await reader.cancel("client went away");
    await vi.waitFor(() => expect(ended).toHaveLength(1));
    expect(ended[0]!.outcome).toEqual({ status: "cancelled" });
    expect(cancelled).toEqual(["client went away"]);
    expect(state.cancelled).toBe("client went away");
    expect(state.pulled).toBeLessThan(100);
  });

  it("a model stream that throws ends with an error chunk and a failed outcome", async () => {
    let i = 0;
    const broken = new ReadableStream<Part>({
      pull(c) {
        if (i++ < 3) c.enqueue([start, textStart, delta("partial")][i - 1]!);
        else c.error(new Error("socket hang up"));
      },
    });
    const { opts, ended } = options(broken);
    const chunks = await readAll(createReplyStream(opts).chunks());
    expect(chunks.at(-1)).toEqual({ type: "error", errorText: "the model failed" });
    expect(ended[0]!.outcome.status).toBe("failed");
    expect(ended[0]!.text).toBe("partial");
  });

  it("after an abort tells the reader why, when there is a reason to give", async () => {
    const { stream } = source([start, textStart, delta("so far"), { type: "abort", reason: "timeout" } as Part]);
    const { opts, ended } = options(stream, { abortText: () => "The model took too long to answer." });
    const chunks = await readAll(createReplyStream(opts).chunks());
    expect(chunks.slice(-2).map((c) => c.type)).toEqual(["abort", "error"]);
    expect(chunks.at(-1)).toEqual({ type: "error", errorText: "The model took too long to answer." });
    expect(ended[0]!.outcome).toEqual({ status: "aborted" });
  });

  it("has one reader", () => {
    const { stream } = source([]);
    const r = createReplyStream(options(stream).opts);
    r.sse();
    expect(() => r.chunks()).toThrow(/one reader/);
  });
});
