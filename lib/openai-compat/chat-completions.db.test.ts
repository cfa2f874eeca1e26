import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import { createTestDatabase, seededUser, type TestDatabase, openRow, openRows } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { isAppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import { CONVERSATION_HEADER, createChatCompletion } from "./chat-completions";

let t: TestDatabase;
let alice: Principal;
let frank: Principal;
const saved = { ...process.env };

beforeAll(async () => {
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"), { apiKeyScopes: ["chat"] });
  frank = principalFor(await seededUser(t.db, "frank@globex.test"), { apiKeyScopes: ["chat"] });
});
afterAll(async () => t?.dispose());

async function errorResponseOf(p: Promise<unknown>): Promise<Response> {
  try {
    await p;
  } catch (e) {
    if (!isAppError(e)) throw e;
    return e.toOpenAIResponse();
  }
  throw new Error("expected an error");
}

function useEnv(vars: Record<string, string>) {
  for (const k of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL_SMALL", "MODEL_LARGE"]) delete process.env[k];
  Object.assign(process.env, { OFFLINE_MODEL_DELAY_MS: "0", MODEL_MAX_RETRIES: "0" }, vars);
  resetEnvCache();
}
beforeEach(() => useEnv({}));
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

const body = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "enclave",
  messages: [
    { role: "system", content: "ignored" },
    { role: "user", content: "an earlier question, not replayed" },
    { role: "assistant", content: "an earlier answer" },
    { role: "user", content: text },
  ],
  ...extra,
});

async function errorOf(p: Promise<unknown>): Promise<{ status: number; body: { error: Record<string, unknown> } }> {
  try {
    await p;
  } catch (e) {
    if (!isAppError(e)) throw e;
    const res = e.toOpenAIResponse();
    return { status: res.status, body: await res.json() };
  }
  throw new Error("expected an error");
}

const messages = async (conversationId: string) =>
  (await openRows("Message", await t.db.prisma.message.findMany({ where: { conversationId }, orderBy: { createdAt: "asc" }, select: { orgId: true, role: true, status: true, parts: true, userId: true } }))).map(
    ({ orgId: _org, ...m }) => m,
  );

function sseData(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      expect(e.startsWith("data: ")).toBe(true);
      const d = e.slice(6);
      return d === "[DONE]" ? d : JSON.parse(d);
    });
}

describe(`OpenAI-compatible chat completions (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("non-streaming: one turn in a new conversation, stored like any other, with usage", async () => {
    const res = await createChatCompletion(alice, body("Hello from the API"), { requestId: "r1", conversationHeader: null });
    expect(res.status).toBe(200);
    const conversationId = res.headers.get(CONVERSATION_HEADER)!;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    const completion = await res.json();
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      model: "enclave",
      choices: [{ index: 0, message: { role: "assistant", content: expect.stringMatching(/offline model/i) }, finish_reason: "stop" }],
    });
    expect(completion.usage.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage.total_tokens).toBe(completion.usage.prompt_tokens + completion.usage.completion_tokens);

    const rows = await messages(conversationId);
    // Only the new message: the earlier ones in the request were not replayed into the conversation.
    expect(rows.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    expect(rows[0]!.parts).toEqual([{ type: "text", text: "Hello from the API" }]);
    // The trace is left out of the OpenAI-shaped body, and kept on the stored message.
    expect(rows[1]!.parts).toEqual([
      expect.objectContaining({ type: "data-trace", id: "plan" }),
      expect.objectContaining({ type: "data-trace", id: "aggregate" }),
      { type: "text", text: completion.choices[0].message.content },
    ]);
    expect(JSON.stringify(completion)).not.toContain("data-trace");
    expect(completion.id).toBe(`chatcmpl-${(await t.db.prisma.message.findFirst({ where: { conversationId, role: "assistant" } }))!.id}`);
    const conv = await openRow("Conversation", await t.db.prisma.conversation.findUnique({ where: { id: conversationId } }));
    expect(conv).toMatchObject({ userId: alice.userId, title: "Hello from the API" });
  });

  it("streaming: role chunk, content deltas, finish, usage, [DONE]", async () => {
    const res = await createChatCompletion(alice, body("Stream please", { stream: true, stream_options: { include_usage: true } }), {
      requestId: "r2",
      conversationHeader: null,
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as unknown as Array<{ choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>; usage: unknown }>;
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toMatch(/offline model/i);
    // The first token goes out alone; the rest, produced together, are merged into larger deltas.
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThanOrEqual(2);
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
    const rows = await messages(res.headers.get(CONVERSATION_HEADER)!);
    expect(rows.map((m) => m.status)).toEqual(["complete", "complete"]);
    expect(rows[1]!.parts).toEqual([expect.objectContaining({ type: "data-trace" }), expect.objectContaining({ type: "data-trace" }), { type: "text", text }]);
    expect(JSON.stringify(events)).not.toContain("data-trace");
  });

  it("continues a conversation named by the header or by metadata.conversation_id", async () => {
    const first = await createChatCompletion(alice, body("first"), { requestId: "r", conversationHeader: null });
    const id = first.headers.get(CONVERSATION_HEADER)!;
    const second = await createChatCompletion(alice, body("second"), { requestId: "r", conversationHeader: id });
    expect(second.headers.get(CONVERSATION_HEADER)).toBe(id);
    const third = await createChatCompletion(alice, body("third", { metadata: { conversation_id: id } }), { requestId: "r", conversationHeader: null });
    expect(third.headers.get(CONVERSATION_HEADER)).toBe(id);
    expect((await messages(id)).map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
  });

  it("someone else's conversation, or none, is not found (404) and nothing is written", async () => {
    const mine = await createChatCompletion(alice, body("alice's secret"), { requestId: "r", conversationHeader: null });
    const id = mine.headers.get(CONVERSATION_HEADER)!;
    const before = await messages(id);
    for (const [who, cid] of [
      [frank, id],
      [alice, "00000000-0000-0000-0000-000000000000"],
      [alice, "../etc/passwd"],
    ] as const) {
      const { status, body: err } = await errorOf(createChatCompletion(who, body("let me in"), { requestId: "r", conversationHeader: cid }));
      expect(status).toBe(404);
      expect(err.error).toMatchObject({ type: "invalid_request_error", code: "not_found" });
    }
    expect(await messages(id)).toEqual(before);
    expect(await t.db.prisma.conversation.count({ where: { id: "00000000-0000-0000-0000-000000000000" } })).toBe(0);
  });

  it("an unknown model is 404 model_not_found, and nothing is stored", async () => {
    const count = await t.db.prisma.message.count();
    const { status, body: err } = await errorOf(createChatCompletion(alice, { ...body("x"), model: "gpt-4o" }, { requestId: "r", conversationHeader: null }));
    expect(status).toBe(404);
    expect(err.error).toMatchObject({ code: "model_not_found", param: "model", type: "invalid_request_error" });
    expect(await t.db.prisma.message.count()).toBe(count);
  });

  it("a model failure is a 5xx OpenAI error, and the user's message is still stored", async () => {
    // Nothing listens on this port: the provider is unreachable.
    useEnv({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1", MODEL_LARGE: "m" });
    const before = new Set((await t.db.prisma.conversation.findMany({ where: { userId: alice.userId }, select: { id: true } })).map((c) => c.id));
    const { status, body: err } = await errorOf(createChatCompletion(alice, body("are you there?"), { requestId: "r", conversationHeader: null }));
    expect([502, 503]).toContain(status);
    expect(err.error).toMatchObject({ type: "server_error", code: "model_error", message: expect.stringMatching(/saved/) });
    const created = (await t.db.prisma.conversation.findMany({ where: { userId: alice.userId }, select: { id: true } })).filter((c) => !before.has(c.id));
    expect(created).toHaveLength(1);
    const rows = await messages(created[0]!.id);
    expect(rows[0]).toMatchObject({ role: "user", status: "complete", parts: [{ type: "text", text: "are you there?" }] });
    expect(rows[1]).toMatchObject({ role: "assistant", status: "error" });
  });

  it("a model failure mid-stream ends the stream with an error event", async () => {
    useEnv({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1", MODEL_LARGE: "m" });
    const res = await createChatCompletion(alice, body("stream to nowhere", { stream: true }), { requestId: "r", conversationHeader: null });
    const events = sseData(await res.text());
    expect(events).not.toContain("[DONE]");
    expect(events.at(-1)).toMatchObject({ error: { type: "server_error", code: "model_error" } });
    const id = res.headers.get(CONVERSATION_HEADER)!;
    await expect.poll(async () => (await messages(id)).map((m) => m.status)).toEqual(["complete", "error"]);
  });

  it("a client that goes away mid-stream leaves the reply stored as interrupted", async () => {
    useEnv({ OFFLINE_MODEL_DELAY_MS: "20" });
    const res = await createChatCompletion(alice, body("Tell me a long story about the sea", { stream: true }), {
      requestId: "r",
      conversationHeader: null,
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel("client went away");
    const id = res.headers.get(CONVERSATION_HEADER)!;
    await expect.poll(async () => (await messages(id)).map((m) => m.status)).toEqual(["complete", "interrupted"]);
  });
});

describe(`OpenAI-compatible status codes for model failures (${process.env.ENCLAVE_TEST_DB})`, () => {
  let mock: MockOpenAIServer;
  beforeAll(async () => {
    mock = await startMockOpenAI({ port: 0 });
  });
  afterAll(async () => mock?.close());
  const useMockProvider = (extra: Record<string, string> = {}) => useEnv({ OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: "sk-mock", MODEL_LARGE: "m", ...extra });

  it("a provider's 429 passes on as 429 with its Retry-After", async () => {
    useMockProvider();
    const res = await errorResponseOf(createChatCompletion(alice, body("[[mock:status=429,retry-after=7]] busy?"), { requestId: "r", conversationHeader: null }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect((await res.json()).error).toMatchObject({ code: "model_error", message: expect.stringMatching(/saved/) });
  });

  it("a provider's 503 passes on as 503 with a Retry-After (its own when it sent one)", async () => {
    useMockProvider();
    const res = await errorResponseOf(createChatCompletion(alice, body("[[mock:status=503,retry-after=9]] up?"), { requestId: "r", conversationHeader: null }));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("9");
    const bare = await errorResponseOf(createChatCompletion(alice, body("[[mock:status=503]] up?"), { requestId: "r", conversationHeader: null }));
    expect(bare.status).toBe(503);
    expect(Number(bare.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("a provider's 500 stays a 502 (bad gateway)", async () => {
    useMockProvider();
    const res = await errorResponseOf(createChatCompletion(alice, body("[[mock:status=500]] ok?"), { requestId: "r", conversationHeader: null }));
    expect(res.status).toBe(502);
  });

  it("a model that does not answer in MODEL_TIMEOUT_MS is a 504", async () => {
    useMockProvider({ MODEL_TIMEOUT_MS: "300" });
    const res = await errorResponseOf(createChatCompletion(alice, body("[[mock:hang]] still there?"), { requestId: "r", conversationHeader: null }));
    expect(res.status).toBe(504);
    expect((await res.json()).error).toMatchObject({ type: "server_error", code: "model_error", message: expect.stringMatching(/too long/) });
  });

  it("a stream the provider cuts off is reported as broken off, not as unreachable", async () => {
    useMockProvider();
    const res = await errorResponseOf(
      createChatCompletion(alice, body("[[mock:delay-token=5,cut-after=3]] one two three four five"), { requestId: "r", conversationHeader: null }),
    );
    expect(res.status).toBe(502);
    const { error } = await res.json();
    expect(error.message).toMatch(/stream broke off/);
    expect(error.message).not.toMatch(/could not reach/);
  });
});

