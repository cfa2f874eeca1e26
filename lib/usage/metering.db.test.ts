import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { signedIn } from "@/lib/db/test-sessions";
import { turnEmitter } from "@/lib/observability/turn-events";
import type { Principal } from "@/lib/principal";
import { flushUsage, installUsageRecorder, pendingUsageRows, replaceUsageBatchWriterForTests, setUsageBacklogLimitForTests, usageBacklogState } from "./recorder";
import { unsafeWriteUsageBatch, type UsageRowInput } from "@/lib/db";

/**
 * Metering end to end from the turn-event channel: model_call and cache_hit events (as the
 * gateway and the agent team emit them) become usage rows priced from the table, folded into the
 * daily aggregates; a failed write loses nothing and counts nothing twice; backpressure past the bound.
 */
let t: TestDatabase;
let alice: Principal;
let dan: Principal;
const saved = { ...process.env };

beforeAll(async () => {
  process.env.MODEL_PRICES = JSON.stringify({ "house-model": { inputPerMTok: 1, outputPerMTok: 2 } });
  process.env.MODEL_PRICE_DEFAULT = JSON.stringify({ inputPerMTok: 3, outputPerMTok: 6 });
  resetEnvCache();
  t = await createTestDatabase();
  alice = await signedIn(t.db, "alice@acme.test");
  dan = await signedIn(t.db, "dan@acme.test");
  installUsageRecorder();
});
afterAll(async () => {
  process.env = { ...saved };
  resetEnvCache();
  await t?.dispose();
});
beforeEach(async () => {
  await flushUsage();
  await t.db.prisma.usageRecord.deleteMany({});
  await t.db.prisma.usageDaily.deleteMany({});
});

function modelCall(p: Principal, data: Record<string, unknown>, at = Date.now(), requestId = "req-1") {
  turnEmitter(p, requestId, "conv-1")("model_call", { at, latencyMs: 12, data: { deployment: "openai-large", provider: "openai", call: 1, attempt: 1, ...data } });
}

const daily = () => t.db.prisma.usageDaily.findMany({ orderBy: [{ day: "asc" }, { model: "asc" }, { agent: "asc" }] });

describe(`metering (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("each successful model call is one row with its cost, agent and team; the day's aggregates add up in the same write", async () => {
    modelCall(alice, { model: "gpt-4o", inputTokens: 1000, outputTokens: 500, agent: "research" });
    modelCall(alice, { model: "gpt-4o-2024-08-06", inputTokens: 2000, outputTokens: 0, agent: "research" });
    modelCall(alice, { model: "house-model", inputTokens: 1_000_000, outputTokens: 1_000_000 });
    modelCall(alice, { model: "mystery-7b", inputTokens: 1_000_000, outputTokens: 0, agent: "writing" });
    modelCall(dan, { model: "gpt-4o-mini", inputTokens: 10, outputTokens: 10 });
    // A failed attempt is no usage; a cache hit is, at no cost.
    turnEmitter(alice, "req-1", "conv-1")("model_call", { outcome: "failure", data: { model: "gpt-4o", error: "timeout" } });
    turnEmitter(alice, "req-1", "conv-1")("cache_hit", { data: { deployment: "openai-large", model: "gpt-4o", agent: "writing" } });
    await flushUsage();

    const rows = await t.db.prisma.usageRecord.findMany({ orderBy: { at: "asc" } });
    expect(rows).toHaveLength(6);
    const sales = await t.db.prisma.team.findFirstOrThrow({ where: { name: "Sales", orgId: alice.orgId } });
    const first = rows.find((r) => r.model === "gpt-4o" && !r.cached)!;
    expect(first).toMatchObject({ orgId: alice.orgId, userId: alice.userId, teamId: sales.id, conversationId: "conv-1", requestId: "req-1", agent: "research", deploymentId: "openai-large", provider: "openai", inputTokens: 1000, outputTokens: 500, cached: false, defaultPriced: false });
    expect(Number(first.costUsd)).toBeCloseTo((1000 * 2.5 + 500 * 10) / 1e6, 10);
    expect(Number(rows.find((r) => r.model === "gpt-4o-2024-08-06")!.costUsd)).toBeCloseTo((2000 * 2.5) / 1e6, 10);
    expect(rows.find((r) => r.model === "house-model")).toMatchObject({ agent: "chat", defaultPriced: false });
    expect(Number(rows.find((r) => r.model === "house-model")!.costUsd)).toBeCloseTo(3, 10);
    const mystery = rows.find((r) => r.model === "mystery-7b")!;
    expect(mystery.defaultPriced).toBe(true);
    expect(Number(mystery.costUsd)).toBeCloseTo(3, 10);
    const hit = rows.find((r) => r.cached)!;
    expect(hit).toMatchObject({ model: "gpt-4o", agent: "writing", cached: true });
    expect(Number(hit.costUsd)).toBe(0);

    const agg = await daily();
    const total = agg.reduce((s, r) => s + Number(r.costUsd), 0);
    expect(total).toBeCloseTo(rows.reduce((s, r) => s + Number(r.costUsd), 0), 9);
    const gpt4oResearch = agg.find((r) => r.model === "gpt-4o" && r.agent === "research")!;
    expect(gpt4oResearch).toMatchObject({ calls: 1, userId: alice.userId, teamId: sales.id });
    expect(agg.find((r) => r.model === "gpt-4o" && r.agent === "writing")).toMatchObject({ calls: 1, cachedCalls: 1 });
    expect(agg.find((r) => r.model === "mystery-7b")).toMatchObject({ defaultPricedCalls: 1 });
    expect(Number(agg.find((r) => r.model === "mystery-7b")!.defaultPricedCostUsd)).toBeCloseTo(3, 10);
    expect(agg.find((r) => r.model === "gpt-4o-mini")!.userId).toBe(dan.userId);
  });

  it("calls on the same day fold into one aggregate row; another day is another row", async () => {
    const day1 = Date.UTC(2026, 10, 30, 23, 59);
    const day2 = Date.UTC(2026, 11, 1, 0, 1);
    for (let i = 0; i < 3; i++) modelCall(alice, { model: "gpt-4.1", inputTokens: 100, outputTokens: 100 }, day1);
    await flushUsage();
    modelCall(alice, { model: "gpt-4.1", inputTokens: 100, outputTokens: 100 }, day1);
    modelCall(alice, { model: "gpt-4.1", inputTokens: 100, outputTokens: 100 }, day2);
    await flushUsage();
    const agg = await daily();
    expect(agg.map((r) => [r.day.toISOString().slice(0, 10), r.calls, Number(r.inputTokens)])).toEqual([
      ["2026-11-30", 4, 400],
      ["2026-12-01", 1, 100],
    ]);
  });

  it("a write that fails (database unavailable) is retried: nothing lost, nothing counted twice", async () => {
    let failures = 1;
    let tried = 0;
    const undo = replaceUsageBatchWriterForTests(async (batch) => {
      tried++;
      if (failures-- > 0) throw Object.assign(new Error("Connection terminated unexpectedly"), {});
      return unsafeWriteUsageBatch(batch);
    });
    try {
      for (let i = 0; i < 5; i++) modelCall(alice, { model: "gpt-4o", inputTokens: 10, outputTokens: 10 }, Date.now(), `req-${i}`);
      await flushUsage(); // fails: the rows wait
      expect(pendingUsageRows()).toBe(5);
      expect(await t.db.prisma.usageRecord.count()).toBe(0);
      await flushUsage(); // the retry
      expect(tried).toBe(2);
      expect(pendingUsageRows()).toBe(0);
      expect(await t.db.prisma.usageRecord.count()).toBe(5);
      expect((await daily())[0]!.calls).toBe(5);
    } finally {
      undo();
    }
  });

  it("a batch written but reported failed is retried without double counting (row ids)", async () => {
    let first = true;
    const undo = replaceUsageBatchWriterForTests(async (batch) => {
      const n = await unsafeWriteUsageBatch(batch);
      if (first) {
        first = false;
        throw new Error("Connection terminated unexpectedly"); // committed, but the client never heard
      }
      return n;
    });
    try {
      for (let i = 0; i < 3; i++) modelCall(alice, { model: "gpt-4o", inputTokens: 10, outputTokens: 10 });
      await flushUsage();
      await flushUsage();
      expect(await t.db.prisma.usageRecord.count()).toBe(3);
      expect((await daily())[0]!.calls).toBe(3);
    } finally {
      undo();
    }
  });

  it("a row the database refuses on its own is set aside; the rest of its batch is written", async () => {
    const good = (id: string): UsageRowInput => ({ id, orgId: alice.orgId, userId: alice.userId, teamId: "", conversationId: null, requestId: "r", agent: "chat", deploymentId: "d", provider: "p", model: "gpt-4o", inputTokens: 1, outputTokens: 1, cached: false, costUsd: 0.00001, defaultPriced: false, at: new Date() });
    const { enqueueUsage } = await import("./recorder");
    enqueueUsage(good("g1"));
    enqueueUsage({ ...good("bad"), orgId: "no-such-org" });
    enqueueUsage(good("g2"));
    await flushUsage();
    expect((await t.db.prisma.usageRecord.findMany()).map((r) => r.id).sort()).toEqual(["g1", "g2"]);
  });

  it("while the database is away, rows wait in memory; past the bound the writer is behind (new turns refused), and nothing is dropped", async () => {
    const undoLimit = setUsageBacklogLimitForTests(10);
    const undo = replaceUsageBatchWriterForTests(async () => {
      throw new Error("Connection terminated unexpectedly");
    });
    try {
      for (let i = 0; i < 25; i++) modelCall(alice, { model: "gpt-4o", inputTokens: 1, outputTokens: 1 });
      await flushUsage();
      const s = usageBacklogState();
      expect(s).toMatchObject({ pending: 25, limit: 10, behind: true });
      expect(s.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      undo();
    }
    await flushUsage();
    expect(await t.db.prisma.usageRecord.count()).toBe(25);
    expect(usageBacklogState().behind).toBe(false);
    undoLimit();
  });
});
