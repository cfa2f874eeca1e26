import { openRow } from "@/lib/db/testing";
import { describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import { runChatTurn } from "./turn";
import { drain, request, rows as rowsOf, setUpTurnTests, textOf, useEnv, useMock as useMockOf } from "./turn-test-kit";

const kit = setUpTurnTests();
const rows = (conversationId: string) => rowsOf(kit, conversationId);
const useMock = () => useMockOf(kit);

describe(`chat turn (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("streams an offline reply and stores both messages, the reply complete with its usage", async () => {
    const req = request("Hello Enclave, how are you?");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r1" });
    const chunks = await drain(turn);
    const outcome = await turn.done;
    expect(chunks[0]).toMatchObject({ type: "start", messageId: turn.assistantMessageId });
    // The first delta goes out alone, at once; the rest arrive together and are merged.
    expect(chunks.filter((c) => c.type === "text-delta").length).toBeGreaterThanOrEqual(2);
    expect(outcome.status).toBe("complete");
    expect(textOf(chunks)).toBe(outcome.text);
    expect(outcome.text).toMatch(/offline model/i);
    const [user, reply] = await rows(req.id);
    expect(user).toMatchObject({ id: req.message.id, role: "user", status: "complete", userId: kit.alice.userId, orgId: kit.alice.orgId });
    expect(reply).toMatchObject({ id: turn.assistantMessageId, role: "assistant", status: "complete", model: "Offline model" });
    // The trace (the plan, the aggregate) is stored with the answer, before it.
    const parts = reply!.parts as Array<{ type: string; id?: string; text?: string }>;
    expect(parts.filter((p) => p.type === "text")).toEqual([{ type: "text", text: outcome.text }]);
    expect(parts.filter((p) => p.type === "data-trace").map((p) => p.id)).toEqual(["plan", "aggregate"]);
    // Which agent versions answered (the built-in ones: no admin has saved any).
    expect(reply!.agentVersions).toEqual({ orchestrator: 0, aggregator: 0 });
    expect(reply!.outputTokens).toBeGreaterThan(0);
    expect(reply!.inputTokens).toBeGreaterThan(0);
    const conv = await openRow("Conversation", await kit.t.db.prisma.conversation.findUnique({ where: { id: req.id } }));
    expect(conv).toMatchObject({ title: "Hello Enclave, how are you?", userId: kit.alice.userId });
  });

  it("refuses a message over the size limit with 413 and stores nothing", async () => {
    const req = request("x".repeat(32 * 1024 + 1));
    await expect(runChatTurn(kit.alice, req, { requestId: "r" })).rejects.toMatchObject({ code: "payload_too_large", status: 413 });
    expect(await kit.t.db.prisma.conversation.findUnique({ where: { id: req.id } })).toBeNull();
    expect(await kit.t.db.prisma.message.count({ where: { id: req.message.id } })).toBe(0);
  });

  it("answers 404 for someone else's conversation id and writes nothing into it", async () => {
    const mine = request("kit.alice's private thought");
    await drain(await runChatTurn(kit.alice, mine, { requestId: "r" }));
    const before = await rows(mine.id);
    const intrusion = request("let me in", { id: mine.id });
    await expect(runChatTurn(kit.frank, intrusion, { requestId: "r" })).rejects.toMatchObject({ code: "not_found" });
    expect(await rows(mine.id)).toEqual(before);
  });

  it("keeps the partial reply, marked interrupted, when the consumer goes away mid-stream", async () => {
    useEnv({ OFFLINE_MODEL_DELAY_MS: "20" });
    const req = request("Tell me a long story about the sea please");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r" });
    const reader = turn.chunks().getReader();
    let seen = "";
    while (seen.split(" ").length < 4) {
      const { value } = await reader.read();
      if (value?.type === "text-delta") seen += value.delta;
    }
    await reader.cancel("client disconnected");
    const outcome = await turn.done;
    expect(outcome.status).toBe("interrupted");
    const reply = (await rows(req.id))[1]!;
    expect(reply.status).toBe("interrupted");
    const stored = (reply.parts as Array<{ type: string; text: string }>).find((p) => p.type === "text")!.text;
    expect(stored.startsWith(seen)).toBe(true);
    expect(stored.length).toBeLessThan(outcome.text.length + 1);
    expect(reply.error).toMatch(/stopped/i);
  });

  it("stops the model and keeps the partial reply when the caller's signal aborts (stop button)", async () => {
    useEnv({ OFFLINE_MODEL_DELAY_MS: "20" });
    const ac = new AbortController();
    const req = request("Please write several paragraphs");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r", signal: ac.signal });
    const reader = turn.chunks().getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || value?.type === "text-delta") break;
    }
    ac.abort();
    while (!(await reader.read()).done) {
      /* drain what is left */
    }
    expect((await turn.done).status).toBe("interrupted");
    expect((await rows(req.id))[1]!.status).toBe("interrupted");
  });

  it("goes through the OpenAI-compatible provider and sends the server-side history", async () => {
    useMock();
    const req = request("first question");
    await drain(await runChatTurn(kit.alice, req, { requestId: "r" }));
    const second = request("second question", { id: req.id });
    const turn = await runChatTurn(kit.alice, second, { requestId: "r" });
    const text = textOf(await drain(turn));
    expect(text).toBe("Mock reply to: second question");
    const calls = kit.mock.requests().filter((r) => r.path === "/v1/chat/completions");
    // Each turn: the plan (small tier), then the aggregated answer (large tier).
    expect(calls.map((r) => r.body?.model)).toEqual(["mock-small", "mock-large", "mock-small", "mock-large"]);
    const sent = calls.filter((r) => r.body?.model === "mock-large");
    expect(sent[1]!.body).toMatchObject({ model: "mock-large", stream: true });
    const sentMessages = sent[1]!.body!.messages as Array<{ role: string; content: unknown }>;
    expect(sentMessages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(JSON.stringify(sentMessages.slice(1))).toMatch(/first question.*Mock reply to: first question.*second question/);
    expect((await rows(req.id)).map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
  });

  it("on a provider 500 the user's message is kept and the reply is stored as an error with a clear reason", async () => {
    useMock();
    const req = request("this will fail [[mock:status=500]]");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r" });
    const chunks = await drain(turn);
    const error = chunks.find((c) => c.type === "error");
    expect(error).toBeDefined();
    expect((error as { errorText: string }).errorText).toMatch(/failed \(500\)/);
    expect((await turn.done).status).toBe("error");
    const [user, reply] = await rows(req.id);
    expect(user).toMatchObject({ role: "user", status: "complete" });
    expect(reply).toMatchObject({ role: "assistant", status: "error" });
    expect((reply!.parts as Array<{ type: string }>).filter((p) => p.type === "text")).toEqual([]);
    expect(reply!.error).toMatch(/500/);
  });

  it("on a stream cut mid-way keeps the partial text and marks it interrupted", async () => {
    useMock();
    const req = request("a reply that breaks half way through please [[mock:cut-after=3]]");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r" });
    const chunks = await drain(turn);
    const outcome = await turn.done;
    expect(outcome.status).toBe("interrupted");
    expect(textOf(chunks)).toBe("Mock reply to: ");
    const reply = (await rows(req.id))[1]!;
    expect(reply).toMatchObject({ status: "interrupted" });
    expect((reply.parts as Array<{ type: string }>).filter((p) => p.type === "text")).toEqual([{ type: "text", text: "Mock reply to: " }]);
    expect(reply.error).toMatch(/retry/i);
  });

  it("a retry of a failed turn reuses the stored message and replaces the failed reply", async () => {
    useMock();
    kit.mock.enqueueFaults({ status: 503, model: "mock-large" });
    const req = request("flaky provider");
    await drain(await runChatTurn(kit.alice, req, { requestId: "r" }));
    expect((await rows(req.id)).map((m) => m.status)).toEqual(["complete", "error"]);
    const turn = await runChatTurn(kit.alice, { ...req, trigger: "regenerate-message" }, { requestId: "r" });
    expect(textOf(await drain(turn))).toBe("Mock reply to: flaky provider");
    // The model sees the stored message once, without the failed reply it replaces.
    const retried = kit.mock.requests().filter((r) => r.path === "/v1/chat/completions").at(-1)!;
    expect((retried.body!.messages as Array<{ role: string }>).map((m) => m.role)).toEqual(["system", "user"]);
    const after = await rows(req.id);
    expect(after.map((m) => [m.id, m.status])).toEqual([
      [req.message.id, "complete"],
      [turn.assistantMessageId, "complete"],
    ]);
  });

  it("a model that hangs is cut off by the timeout and the turn is recorded, not left streaming", async () => {
    useMock();
    process.env.MODEL_TIMEOUT_MS = "300";
    resetEnvCache();
    const req = request("never answers [[mock:hang]]");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r" });
    await drain(turn);
    const outcome = await turn.done;
    expect(["interrupted", "error"]).toContain(outcome.status);
    const reply = (await rows(req.id))[1]!;
    expect(reply.status).not.toBe("streaming");
    expect(reply.error).toMatch(/too long/i);
    // The provider connection is closed too (the server notices asynchronously).
    await expect.poll(() => kit.mock.activeRequests()).toBe(0);
  });
  it("a timeout streams its reason to the reader before the stream closes", async () => {
    useMock();
    process.env.MODEL_TIMEOUT_MS = "300";
    resetEnvCache();
    const turn = await runChatTurn(kit.alice, request("never answers [[mock:hang]]"), { requestId: "r" });
    const chunks = await drain(turn);
    expect(chunks.filter((c) => c.type === "error").map((c) => (c as { errorText: string }).errorText).join(" ")).toMatch(/too long/i);
  });

  it("a client that disconnects mid-stream frees the upstream request: the model server sees it closed", async () => {
    useMock();
    const req = request("stream slowly [[mock:delay-token=30]]");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r" });
    const reader = turn.chunks().getReader();
    while ((await reader.read()).value?.type !== "text-delta") {
      /* the plan's trace, then the answer begins */
    }
    expect(kit.mock.activeRequests()).toBe(1);
    await reader.cancel("client disconnected");
    expect((await turn.done).status).toBe("interrupted");
    await expect.poll(() => kit.mock.activeRequests()).toBe(0);
    expect((await rows(req.id))[1]!.status).toBe("interrupted");
  });

  it("a client that stops reading is dropped after the stall limit: bounded memory, upstream closed, reply kept as interrupted", async () => {
    useMock();
    process.env.STREAM_STALL_TIMEOUT_MS = "300";
    resetEnvCache();
    // A long reply the model sends as fast as it can (about 300 KB of text).
    kit.mock.enqueueFaults({ model: "mock-large", reply: Array.from({ length: 40_000 }, (_, i) => `word${i}`).join(" ") });
    const req = request("a very long answer please");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r" });
    const reader = turn.sse().getReader();
    await reader.read(); // then never again
    const outcome = await turn.done;
    expect(outcome.status).toBe("interrupted");
    // It stopped reading the model well before the end of the reply.
    expect(outcome.text.length).toBeGreaterThan(0);
    expect(outcome.text.length).toBeLessThan(250_000);
    await expect.poll(() => kit.mock.activeRequests()).toBe(0);
    const reply = (await rows(req.id))[1]!;
    expect(reply.status).toBe("interrupted");
    expect(reply.error).toMatch(/too slow/i);
  });
  it("a message id used by someone in another org tells nothing: the same answer as a fresh id", async () => {
    const mine = request("a private note");
    await drain(await runChatTurn(kit.alice, mine, { requestId: "r-own" }));
    // Frank reuses Alice's message id in his own new conversation: accepted like any fresh id.
    const probe = request("probing", { messageId: mine.message.id });
    const turn = await runChatTurn(kit.frank, probe, { requestId: "r-probe" });
    await drain(turn);
    expect((await turn.done).status).toBe("complete");
    const [his] = await rows(probe.id);
    expect(his).toMatchObject({ id: mine.message.id, userId: kit.frank.userId });
    // Alice's message is untouched.
    const [hers] = await rows(mine.id);
    expect(hers).toMatchObject({ id: mine.message.id, userId: kit.alice.userId, parts: [{ type: "text", text: "a private note" }] });
  });
});
