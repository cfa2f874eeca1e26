import { describe, expect, it } from "vitest";
import type { UIMessageChunk } from "ai";
import type { MessageMetadata } from "@/lib/chat/ui-messages";
import { modelNotFound } from "./errors";
import { CompletionTranslator, encodeSseEvent, toFinishReason, toSseStream, type StreamEvent } from "./translate";

type Chunk = UIMessageChunk<MessageMetadata>;
const META = { id: "chatcmpl-m1", model: "enclave", created: 1_700_000_000 };

const happy: Chunk[] = [
  { type: "start", messageId: "m1", messageMetadata: { status: "streaming", model: "Offline model" } },
  { type: "start-step" },
  { type: "text-start", id: "t1" },
  { type: "text-delta", id: "t1", delta: "Hello" },
  { type: "text-delta", id: "t1", delta: "" },
  { type: "text-delta", id: "t1", delta: " world" },
  { type: "text-end", id: "t1" },
  { type: "finish-step" },
  { type: "finish", finishReason: "stop", messageMetadata: { status: "complete", inputTokens: 12, outputTokens: 5 } },
];

function run(chunks: Chunk[], includeUsage = false): { t: CompletionTranslator; events: StreamEvent[] } {
  const t = new CompletionTranslator({ ...META, includeUsage });
  const events = [...chunks.flatMap((c) => t.push(c)), ...t.end()];
  return { t, events };
}

const choice = (e: StreamEvent) => (typeof e === "object" && "choices" in e ? e.choices[0] : undefined);

describe("UI message chunks → chat.completion.chunk events", () => {
  it("sends the role first, then content deltas, then finish_reason, then [DONE]", () => {
    const { events } = run(happy);
    expect(events).toEqual([
      { id: "chatcmpl-m1", object: "chat.completion.chunk", created: 1_700_000_000, model: "enclave", choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] },
      { id: "chatcmpl-m1", object: "chat.completion.chunk", created: 1_700_000_000, model: "enclave", choices: [{ index: 0, delta: { content: "Hello" }, logprobs: null, finish_reason: null }] },
      { id: "chatcmpl-m1", object: "chat.completion.chunk", created: 1_700_000_000, model: "enclave", choices: [{ index: 0, delta: { content: " world" }, logprobs: null, finish_reason: null }] },
      { id: "chatcmpl-m1", object: "chat.completion.chunk", created: 1_700_000_000, model: "enclave", choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] },
      "[DONE]",
    ]);
  });

  it("with include_usage: usage null on each chunk, then a final chunk with no choices and the usage", () => {
    const { events } = run(happy, true);
    const chunks = events.filter((e) => typeof e === "object" && "choices" in e) as Array<{ choices: unknown[]; usage?: unknown }>;
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    expect(events.at(-2)).toEqual({
      id: "chatcmpl-m1",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: "enclave",
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
    expect(events.at(-1)).toBe("[DONE]");
  });

  it("sends the role chunk even if text arrives without a start chunk", () => {
    const { events } = run(happy.slice(1));
    expect(choice(events[0]!)?.delta).toEqual({ role: "assistant", content: "" });
    expect(choice(events[1]!)?.delta).toEqual({ content: "Hello" });
  });

  it("ignores reasoning, tool and step chunks", () => {
    const { events } = run([
      happy[0]!,
      { type: "reasoning-start", id: "r" },
      { type: "reasoning-delta", id: "r", delta: "thinking" },
      { type: "reasoning-end", id: "r" },
      ...happy.slice(1),
    ]);
    expect(events.map((e) => (typeof e === "object" && "choices" in e ? e.choices[0]?.delta.content : e))).toEqual(["", "Hello", " world", undefined, "[DONE]"]);
  });

  it("an error mid-stream becomes an OpenAI error event and nothing follows it (no [DONE])", () => {
    const { events, t } = run([
      ...happy.slice(0, 4),
      { type: "error", errorText: "The model provider failed (500). Your message is saved; retry in a moment." },
      { type: "finish", finishReason: "error" },
    ]);
    expect(events.at(-1)).toEqual({
      error: { message: "The model provider failed (500). Your message is saved; retry in a moment.", type: "server_error", param: null, code: "model_error" },
    });
    expect(events).not.toContain("[DONE]");
    expect(events.filter((e) => choice(e)?.finish_reason)).toEqual([]);
    expect(t.error).toMatch(/provider failed/);
    expect(t.text).toBe("Hello");
  });

  it("a stream that ends without finishing, or is aborted, is an error too", () => {
    const ended = run(happy.slice(0, 4));
    expect(ended.events.at(-1)).toMatchObject({ error: { type: "server_error", code: "model_error", message: expect.stringMatching(/ended before it finished/) } });
    const aborted = run([...happy.slice(0, 4), { type: "abort" }]);
    expect(aborted.events.at(-1)).toMatchObject({ error: { message: expect.stringMatching(/stopped/) } });
  });

  it("maps finish reasons", () => {
    expect(toFinishReason("stop")).toBe("stop");
    expect(toFinishReason("length")).toBe("length");
    expect(toFinishReason("content-filter")).toBe("content_filter");
    expect(toFinishReason("tool-calls")).toBe("tool_calls");
    expect(toFinishReason("other")).toBe("stop");
    expect(toFinishReason(undefined)).toBe("stop");
  });

  it("frames events as OpenAI does", () => {
    expect(encodeSseEvent("[DONE]")).toBe("data: [DONE]\n\n");
    expect(encodeSseEvent({ error: { message: "m", type: "t", param: null, code: null } })).toBe('data: {"error":{"message":"m","type":"t","param":null,"code":null}}\n\n');
  });
});

describe("UI message chunks → chat.completion", () => {
  it("collects the text, finish reason and usage", () => {
    const { t } = run(happy);
    expect(t.completion()).toEqual({
      id: "chatcmpl-m1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "enclave",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello world", refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
  });

  it("counts zero tokens when the model reported none", () => {
    const { t } = run([...happy.slice(0, -1), { type: "finish" }]);
    expect(t.completion().usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});

function source(chunks: Chunk[], opts: { failAfter?: number } = {}) {
  let i = 0;
  const state = { pulled: 0, cancelled: null as unknown };
  const stream = new ReadableStream<Chunk>({
    pull(controller) {
      state.pulled++;
      if (opts.failAfter !== undefined && i === opts.failAfter) {
        controller.error(new Error("socket hang up"));
        return;
      }
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
    cancel(reason) {
      state.cancelled = reason ?? "cancelled";
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(s).text();
}

describe("SSE body", () => {
  it("streams the events in order and ends with [DONE]", async () => {
    const { stream } = source(happy);
    const text = await readAll(toSseStream(stream, new CompletionTranslator({ ...META, includeUsage: true })));
    const data = text.split("\n\n").filter(Boolean);
    expect(data.every((l) => l.startsWith("data: "))).toBe(true);
    expect(data.at(-1)).toBe("data: [DONE]");
    const parsed = data.slice(0, -1).map((l) => JSON.parse(l.slice(6)));
    expect(parsed.map((c) => c.choices[0]?.delta?.content ?? null).join("")).toBe("Hello world");
    expect(parsed.at(-1).usage.total_tokens).toBe(17);
  });

  it("cancelling the response cancels the turn's stream", async () => {
    const { stream, state } = source([...happy.slice(0, 4), ...Array.from({ length: 50 }, (_, k) => ({ type: "text-delta", id: "t1", delta: ` w${k}` }) as Chunk)]);
    const reader = toSseStream(stream, new CompletionTranslator(META)).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel("client went away");
    expect(state.cancelled).toBe("client went away");
    expect(state.pulled).toBeLessThan(20);
  });

  it("a broken turn stream ends with an error event", async () => {
    const { stream } = source(happy, { failAfter: 4 });
    const text = await readAll(toSseStream(stream, new CompletionTranslator(META)));
    const last = text.trim().split("\n\n").at(-1)!;
    expect(JSON.parse(last.slice(6))).toMatchObject({ error: { type: "server_error", code: "model_error" } });
    expect(text).not.toContain("[DONE]");
  });
});

describe("errors", () => {
  it("an unknown model is a 404 model_not_found in OpenAI's envelope", async () => {
    const res = modelNotFound("gpt-4o").toOpenAIResponse();
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining("'gpt-4o' does not exist"), type: "invalid_request_error", param: "model", code: "model_not_found" },
    });
  });
});
