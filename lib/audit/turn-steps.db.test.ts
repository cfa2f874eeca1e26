import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import { runChatTurn } from "@/lib/chat/turn";
import { resetEnvCache } from "@/lib/config/env";
import { forgetAuditContentPolicy } from "@/lib/db/audit";
import { createTestDatabase, seededUser, type TestDatabase, openRows } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { sha256 } from "@/lib/audit-record/canonical";
import { drainAudit } from "./maintenance";
import { installAuditTurnSink } from "./turn-sink";
import { verifyOrgChain } from "./verify";

let t: TestDatabase;
let alice: Principal;
let mock: MockOpenAIServer;
const saved = { ...process.env };

beforeAll(async () => {
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  mock = await startMockOpenAI({ port: 0 });
  installAuditTurnSink();
});
afterAll(async () => {
  await mock?.close();
  await t?.dispose();
});
beforeEach(() => {
  Object.assign(process.env, { OPENAI_BASE_URL: mock.url, MODEL_LARGE: "mock-large", MODEL_MAX_RETRIES: "0", AUDIT_SIGNING_KEY: "k".repeat(32) });
  resetEnvCache();
});
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

async function turn(text: string, conversationId = `steps-${Math.random().toString(36).slice(2, 10)}`) {
  const requestId = `req-${Math.random().toString(36).slice(2, 10)}`;
  const started = Date.now();
  const tr = await runChatTurn(alice, { id: conversationId, message: { id: `${conversationId}-m`, role: "user", parts: [{ type: "text", text }] } }, { requestId });
  const reader = tr.chunks().getReader();
  while (!(await reader.read()).done) {
    /* drain */
  }
  await tr.done;
  const finished = Date.now();
  await drainAudit();
  const events = byStepTime(await openRows("AuditEvent", await t.db.prisma.auditEvent.findMany({ where: { requestId }, orderBy: { pos: "asc" } })));
  return { events, started, finished, conversationId };
}

/** The time each step reported (data.at; createdAt is when the database stored the batch), then insertion order. */
const stepTime = (e: { data: unknown }) => Date.parse((e.data as { at: string }).at);
function byStepTime<E extends { data: unknown; pos: bigint }>(events: E[]): E[] {
  return [...events].sort((a, b) => stepTime(a) - stepTime(b) || (a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0));
}

async function setPolicy(policy: "full" | "redacted" | "hashes") {
  await t.db.prisma.org.update({ where: { id: alice.orgId }, data: { auditContent: policy } });
  forgetAuditContentPolicy(alice.orgId);
}

describe(`chat-turn step events in the audit trail (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("a turn with a tool call: received, plan, its model call, aggregate, model call, tool call, model call, completed — in order, with plausible timings", async () => {
    const { events, started, finished, conversationId } = await turn("What time is it? [[mock:tool=clock]]");
    // Steps are ordered by when they began; the first token arrives during the second model
    // call, which began (a fraction of a millisecond, possibly) before it.
    const actions = events.map((e) => e.action);
    expect(actions.filter((a) => a !== "chat.first_token")).toEqual([
      "chat.request_received",
      "chat.plan",
      "chat.model_call",
      "chat.aggregate",
      "chat.model_call",
      "chat.tool_call",
      "chat.model_call",
      "chat.response_completed",
    ]);
    expect(actions.indexOf("chat.first_token")).toBeGreaterThan(actions.indexOf("chat.tool_call"));
    expect(actions.indexOf("chat.first_token")).toBeLessThan(actions.indexOf("chat.response_completed"));
    for (const e of events) {
      expect(e).toMatchObject({ orgId: alice.orgId, actorId: alice.userId, sessionId: alice.sessionId, targetType: "conversation", targetId: conversationId });
      expect(stepTime(e)).toBeGreaterThanOrEqual(started - 5);
      expect(stepTime(e)).toBeLessThanOrEqual(finished + 5);
      // The row's own time is the database's, when the batch was written: never before the step.
      expect(e.createdAt.getTime()).toBeGreaterThanOrEqual(stepTime(e) - 5);
    }
    const find = (a: string, n = 0) => events.filter((e) => e.action === a)[n]!;
    const [received, call1, tool, first, call2, done] = [
      find("chat.request_received"),
      find("chat.model_call", 1),
      find("chat.tool_call"),
      find("chat.first_token"),
      find("chat.model_call", 2),
      find("chat.response_completed"),
    ];
    expect(first!.latencyMs).toBeLessThanOrEqual(done!.latencyMs!);
    expect(call1!.data).toMatchObject({ provider: "openai-compatible", model: "mock-large", attempt: 1, call: 1, finishReason: "tool-calls" });
    expect(call2!.data).toMatchObject({ call: 2, finishReason: "stop" });
    expect((call1!.data as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
    expect(tool!.data).toMatchObject({ tool: "clock", agent: "aggregator" });
    expect(call1!.data).toMatchObject({ agent: "aggregator", tier: "large" });
    expect(find("chat.model_call").data).toMatchObject({ agent: "orchestrator", tier: "small" });
    expect(find("chat.plan").data).toMatchObject({ tier: "small", version: 0 });
    expect(find("chat.aggregate").data).toMatchObject({ tier: "large", model: "mock-large", version: 0 });
    expect(tool!.inputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(received!.inputHash).toBe(sha256("What time is it? [[mock:tool=clock]]"));
    expect(done!.outputHash).toMatch(/^[0-9a-f]{64}$/);
    for (const e of [call1!, tool!, call2!, done!]) expect(e.latencyMs).toBeGreaterThanOrEqual(0);
    expect(done!.latencyMs!).toBeLessThanOrEqual(finished - started + 5);
    expect(call1!.latencyMs! + call2!.latencyMs!).toBeLessThanOrEqual(done!.latencyMs! + 5);
    // Sealed into the org's chain.
    expect((await verifyOrgChain(alice.orgId)).ok).toBe(true);
    expect(events.every((e) => e.hash === null || /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
  });

  it("a turn whose model calls fail: received, the plan falls back, the answer's failed model call, failed", async () => {
    const { events } = await turn("this fails [[mock:status=500]]");
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["chat.request_received", "success"],
      ["chat.plan", "failure"],
      ["chat.model_call", "failure"],
      ["chat.aggregate", "failure"],
      ["chat.model_call", "failure"],
      ["chat.response_failed", "failure"],
    ]);
    expect(events[1]!.data).toMatchObject({ source: "rules", fallbackReason: expect.stringMatching(/plan call failed/) });
    expect(events[4]!.data).toMatchObject({ attempt: 1, error: "provider_error", agent: "aggregator" });
    expect(events[5]!.data).toMatchObject({ failure: "provider_error", status: 500 });
  });

  it("a turn refused before the model (someone else's conversation) is closed in the trail, not filed under that conversation", async () => {
    const mine = await turn("alice's conversation");
    const frank = principalFor(await seededUser(t.db, "frank@globex.test"));
    const requestId = `req-intrusion-${Date.now()}`;
    await expect(
      runChatTurn(frank, { id: mine.conversationId, message: { id: `intrusion-${Date.now()}`, role: "user", parts: [{ type: "text", text: "let me in" }] } }, { requestId }),
    ).rejects.toMatchObject({ code: "not_found" });
    await drainAudit();
    const events = byStepTime(await t.db.prisma.auditEvent.findMany({ where: { requestId }, orderBy: { pos: "asc" } }));
    expect(events.map((e) => [e.action, e.outcome, e.actorId])).toEqual([
      ["chat.request_received", "success", frank.userId],
      ["chat.response_failed", "failure", frank.userId],
    ]);
    expect(events[1]!.data).toMatchObject({ stage: "persist", error: "not_found" });
    expect(events.every((e) => e.orgId === frank.orgId)).toBe(true);
    // The id was frank's claim, not his conversation: alice's timeline does not show his attempt.
    expect(events.map((e) => [e.targetType, e.targetId])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(mine.conversationId);
    const inAlices = await t.db.prisma.auditEvent.findMany({ where: { targetId: mine.conversationId } });
    expect(inAlices.map((e) => e.requestId)).not.toContain(requestId);
  });

  it("request_received is recorded once the conversation is known to be the caller's, and keeps the caller's own x-request-id apart", async () => {
    const conversationId = `steps-${Math.random().toString(36).slice(2, 10)}`;
    const requestId = `req-${Math.random().toString(36).slice(2, 10)}`;
    const tr = await runChatTurn(
      alice,
      { id: conversationId, message: { id: `${conversationId}-m`, role: "user", parts: [{ type: "text", text: "hello" }] } },
      { requestId, clientRequestId: "client-chosen-id-1" },
    );
    const reader = tr.chunks().getReader();
    while (!(await reader.read()).done) {
      /* drain */
    }
    await tr.done;
    await drainAudit();
    const received = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { requestId, action: "chat.request_received" } });
    expect(received).toMatchObject({ targetType: "conversation", targetId: conversationId });
    expect(received.data).toMatchObject({ clientRequestId: "client-chosen-id-1" });
    expect(await t.db.prisma.auditEvent.count({ where: { requestId: "client-chosen-id-1" } })).toBe(0);
  });

  it("retries are separate model-call attempts", async () => {
    process.env.MODEL_MAX_RETRIES = "2";
    process.env.MODEL_SMALL = "mock-small";
    resetEnvCache();
    mock.enqueueFaults({ status: 503, times: 1, model: "mock-large" });
    const { events } = await turn("flaky once");
    const calls = events.filter((e) => e.action === "chat.model_call" && (e.data as { agent?: string }).agent === "aggregator");
    expect(calls.map((c) => [c.outcome, (c.data as { attempt: number }).attempt])).toEqual([
      ["failure", 1],
      ["success", 2],
    ]);
    expect(events.at(-1)!.action).toBe("chat.response_completed");
  });

  it("content follows the org's policy, and secrets are masked under every policy", async () => {
    const text = "Email bob@example.com the card 4111 1111 1111 1111, key sk-proj-abcdefghijklmnop1234 and password=hunter2";
    await setPolicy("redacted");
    let content = (await turn(text)).events[0]!.content as { input: string };
    expect(content.input).toContain("[email]");
    expect(content.input).toContain("[card]");
    expect(content.input).not.toMatch(/sk-proj|hunter2|4111 1111/);

    await setPolicy("full");
    content = (await turn(text)).events[0]!.content as { input: string };
    expect(content.input).toContain("bob@example.com");
    expect(content.input).not.toMatch(/sk-proj|hunter2/);

    await setPolicy("hashes");
    const { events } = await turn(text);
    expect(events[0]!.content).toBeNull();
    expect(events[0]!.inputHash).toBe(sha256(text));
    const everything = JSON.stringify(await openRows("AuditEvent", await t.db.prisma.auditEvent.findMany()), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    expect(everything).not.toMatch(/sk-proj-abcdefghijklmnop1234|hunter2/);
    await setPolicy("redacted");
  });

  it("if the audit trail cannot be written, the turn still answers", async () => {
    const { replaceAuditBatchWriterForTests } = await import("./step-writer");
    const restore = replaceAuditBatchWriterForTests(async () => {
      throw new Error("database refused the audit batch");
    });
    try {
      const { events } = await turn("still answered");
      expect(events).toEqual([]);
      const stored = await t.db.prisma.message.findMany({ where: { role: "assistant" }, orderBy: { createdAt: "desc" }, take: 1 });
      expect(stored[0]!.status).toBe("complete");
      const { auditWriteFailures } = await import("@/lib/observability/metrics");
      expect((await auditWriteFailures.get()).values[0]!.value).toBeGreaterThan(0);
    } finally {
      restore();
    }
  });
});
