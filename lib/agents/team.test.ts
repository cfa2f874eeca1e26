import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockOpenAI, type MockOpenAIServer, type RecordedRequest } from "@/e2e/fixtures/mock-openai/server";
import { AppError } from "@/lib/errors/app-error";
import type { CallGuard } from "@/lib/models/gateway";
import { resetEnvCache } from "@/lib/config/env";
import { GatewayError } from "@/lib/models/failures";
import { isRefusal, runTeam } from "./team";
import { agentsWith, collect, fakePrincipal, teamInput, useMockModels, useOffline } from "./team-test-kit";

let mock: MockOpenAIServer;
const saved = { ...process.env };
beforeAll(async () => {
  mock = await startMockOpenAI({ port: 0 });
});
afterAll(async () => {
  await mock?.close();
});
beforeEach(() => mock.reset());
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

const plan = (...specialists: Array<{ agent: string; task: string; input?: string }>) => JSON.stringify({ specialists });
const THREE = plan(
  { agent: "research", task: "Find the budget talk", input: "budget" },
  { agent: "calculation", task: "Compute the total", input: "2+2" },
  { agent: "writing", task: "Draft a note", input: "a note" },
);
const modelRequests = (): RecordedRequest[] => mock.requests().filter((r) => r.path.endsWith("/chat/completions") || r.path.endsWith("/responses"));
/** The system/instructions text a recorded request carried. */
const systemOf = (r: RecordedRequest): string => JSON.stringify(r.body?.messages ?? r.body?.input ?? "");

describe("runTeam offline (no provider)", () => {
  beforeEach(() => useOffline());

  it("plans a percentage to the calculation specialist, which calls the calculator; the answer carries the exact result", async () => {
    const c = await collect(teamInput("What is 15% of 1200?"));
    expect(c.parts[0]).toEqual({ type: "start" });
    const p = c.traces.get("plan");
    expect(p).toMatchObject({ kind: "plan", status: "done", source: "model", specialists: [{ agent: "calculation" }] });
    expect(c.traces.get("branch:calculation")).toMatchObject({ status: "done", tier: "small" });
    const tool = c.events.find((e) => e.step === "tool_call");
    expect(tool).toMatchObject({ outcome: "success", data: { tool: "calculator", agent: "calculation" } });
    expect(tool?.output).toContain('"result":180');
    expect(c.text).toContain("**180**");
    expect(c.text).toContain("**calculation** contributed");
    expect(c.parts.at(-1)?.type).toBe("finish");
    expect(c.run.versions).toEqual({ orchestrator: 0, aggregator: 0, calculation: 0 });
  });

  it('a "hello" is the plan call and one aggregator call, nothing else', async () => {
    const c = await collect(teamInput("hello"));
    expect(c.traces.get("plan")).toMatchObject({ source: "model", specialists: [] });
    expect([...c.traces.keys()].filter((k) => k.startsWith("branch:"))).toEqual([]);
    const calls = c.events.filter((e) => e.step === "model_call");
    expect(calls.map((e) => e.data?.agent)).toEqual(["orchestrator", "aggregator"]);
    expect(c.events.map((e) => e.step).filter((s) => s === "plan" || s === "aggregate")).toEqual(["plan", "aggregate"]);
    const r = await c.run.result;
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
  });

  it("a timed-out specialist degrades the answer, which names what is missing", async () => {
    // The offline model answers at once; a guard that makes each call wait (as admission may)
    // is what outlasts the writer's 50 ms.
    const guard: CallGuard = { beforeCall: () => new Promise((r) => setTimeout(r, 100)), afterCall: () => {} };
    const agents = agentsWith({ writing: { timeoutMs: 50 } });
    const c = await collect(teamInput("Calculate 7*6 and draft a note about it", { agents, guard }));
    expect(c.traces.get("branch:writing")).toMatchObject({ status: "timeout", error: "timed out after 50 ms" });
    expect(c.traces.get("branch:calculation")).toMatchObject({ status: "done" });
    expect(c.text).toContain("**writing** did not finish (timeout");
    expect(c.text).toContain("that part of the answer is missing");
    expect(c.text).toContain("**42**");
    expect(c.parts.at(-1)?.type).toBe("finish");
    const finished = c.events.filter((e) => e.step === "specialist_finished");
    expect(finished.find((e) => e.data?.agent === "writing")).toMatchObject({ outcome: "failure", data: { status: "timeout" } });
  });

  it("never plans a specialist the user may not use (role restriction, disabled)", async () => {
    const agents = agentsWith({ calculation: { allowedRoles: ["admin"] }, writing: { enabled: false } });
    const c = await collect(teamInput("Calculate 7*6 and summarize it", { agents }));
    expect(c.traces.get("plan")).toMatchObject({ specialists: [] });
    const admin = await collect(teamInput("Calculate 7*6 and summarize it", { agents, principal: fakePrincipal("admin") }));
    expect(admin.traces.get("plan")).toMatchObject({ specialists: [{ agent: "calculation" }] });
  });

  it("with every specialist unavailable no plan call is made, and that is recorded", async () => {
    const agents = agentsWith({ research: { enabled: false }, calculation: { enabled: false }, writing: { enabled: false } });
    const c = await collect(teamInput("Calculate 7*6", { agents }));
    expect(c.traces.get("plan")).toMatchObject({ source: "rules", fallbackReason: "no specialist is available to this user", specialists: [] });
    expect(c.events.filter((e) => e.step === "model_call").map((e) => e.data?.agent)).toEqual(["aggregator"]);
  });

  it("recalled memories reach the orchestrator and the trace", async () => {
    const c = await collect(teamInput("hello", { recalled: [{ id: "m1", text: "I prefer metric units" }] }));
    expect(c.traces.get("memory")).toEqual({ kind: "memory", items: [{ id: "m1", text: "I prefer metric units" }] });
  });
});

describe("runTeam against the mock model server", () => {
  beforeEach(() => useMockModels(mock.url));

  it("three specialists delayed 300 ms each run in parallel (about 300 ms, not 900 ms)", async () => {
    mock.enqueueFaults({ reply: THREE, model: "mock-small" }, { delayFirst: 300, model: "mock-small", times: 3 });
    const c = await collect(teamInput("Do three things"));
    const branches = ["research", "calculation", "writing"].map((a) => c.traces.get(`branch:${a}`));
    for (const b of branches) expect(b).toMatchObject({ kind: "branch", status: "done" });
    const lat = branches.map((b) => (b && "latencyMs" in b ? (b.latencyMs ?? 0) : 0));
    const planMs = (c.traces.get("plan") as { latencyMs?: number }).latencyMs ?? 0;
    const aggMs = (c.traces.get("aggregate") as { latencyMs?: number }).latencyMs ?? 0;
    const branchPhase = c.wallMs - planMs - aggMs;
    const sum = lat.reduce((a, b) => a + b, 0);
    const max = Math.max(...lat);
    console.log(`[parallel] branches ${lat.join("/")} ms: sum ${sum} ms, max ${max} ms; branch phase ${branchPhase} ms; ratio phase/sum ${(branchPhase / sum).toFixed(2)}, phase/max ${(branchPhase / max).toFixed(2)}; wall ${c.wallMs} ms`);
    expect(max).toBeGreaterThanOrEqual(300);
    expect(branchPhase).toBeLessThan(2 * max);
    // The aggregator saw each result.
    const agg = modelRequests().find((r) => r.body?.model === "mock-large");
    for (const a of ["research", "calculation", "writing"]) expect(systemOf(agg!)).toContain(`<result from=\\"${a}\\" status=\\"done\\">`);
  });

  it("an invalid plan from the model falls back to the rules plan, recorded in the trace and the plan event", async () => {
    mock.enqueueFaults({ reply: '{"specialists":[{"agent":"astrology","task":"x"}]}', model: "mock-small" });
    const c = await collect(teamInput("Calculate 7*6 please"));
    const p = c.traces.get("plan");
    expect(p).toMatchObject({ source: "rules", specialists: [{ agent: "calculation", task: "Calculate 7*6" }] });
    expect((p as { fallbackReason?: string }).fallbackReason).toMatch(/invalid plan/);
    const ev = c.events.find((e) => e.step === "plan");
    expect(ev).toMatchObject({ outcome: "failure", data: { source: "rules", tier: "small", model: "mock-small" } });
    expect(String(ev?.data?.fallbackReason)).toMatch(/invalid plan/);
    expect(c.parts.at(-1)?.type).toBe("finish");
  });

  it("a plan that is not JSON at all also falls back", async () => {
    const c = await collect(teamInput("hello there")); // the mock's default reply is prose
    expect(c.traces.get("plan")).toMatchObject({ source: "rules", specialists: [] });
    expect(c.text).toContain("Mock reply to: hello there");
  });

  it("the plan schema offers only the specialists the user may use", async () => {
    const agents = agentsWith({ research: { allowedRoles: ["admin"] } });
    await collect(teamInput("hi", { agents }));
    const planReq = modelRequests()[0]!;
    const schema = JSON.stringify(planReq.body?.response_format ?? planReq.body?.text ?? {});
    expect(schema).toContain('"calculation"');
    expect(schema).toContain('"writing"');
    expect(schema).not.toContain('"research"');
  });

  it("a timeout in one specialist still yields an answer; the aggregator is told what is missing", async () => {
    mock.enqueueFaults({ reply: THREE, model: "mock-small" }, { hang: true, model: "mock-small", times: 1 });
    const agents = agentsWith({ research: { timeoutMs: 400 }, calculation: { timeoutMs: 400 }, writing: { timeoutMs: 400 } });
    const c = await collect(teamInput("Do three things", { agents }));
    const statuses = ["research", "calculation", "writing"].map((a) => (c.traces.get(`branch:${a}`) as { status: string }).status).sort();
    expect(statuses).toEqual(["done", "done", "timeout"]);
    const agg = modelRequests().find((r) => r.body?.model === "mock-large")!;
    expect(systemOf(agg)).toMatch(/status=\\"timeout\\">\\ntimed out after 400 ms/);
    expect(systemOf(agg)).toContain("say plainly that this part is missing");
    expect(c.text).toContain("Mock reply to:");
    expect(c.parts.at(-1)?.type).toBe("finish");
    expect(c.traces.get("aggregate")).toMatchObject({ status: "done" });
  });

  it("a specialist whose output fails its schema is marked failed", async () => {
    mock.enqueueFaults({ reply: plan({ agent: "writing", task: "Draft" }), model: "mock-small" }, { tokens: 0, model: "mock-small" });
    const c = await collect(teamInput("Draft something"));
    expect(c.traces.get("branch:writing")).toMatchObject({ status: "failed", error: expect.stringMatching(/failed validation: the specialist returned no text/) });
    expect(c.parts.at(-1)?.type).toBe("finish");
  });

  it("aborting the signal closes every upstream request and ends the stream", async () => {
    mock.enqueueFaults({ reply: THREE, model: "mock-small" }, { hang: true, model: "mock-small", times: 3 });
    const ac = new AbortController();
    const input = teamInput("Do three things", { signal: ac.signal });
    const pending = collect(input);
    for (let i = 0; i < 100 && mock.activeRequests() < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(mock.activeRequests()).toBe(3);
    ac.abort(new DOMException("stopped", "AbortError"));
    const c = await pending;
    expect(c.parts.at(-1)?.type).toBe("abort");
    for (let i = 0; i < 50 && mock.activeRequests() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(mock.activeRequests()).toBe(0);
    const reqs = modelRequests();
    expect(reqs).toHaveLength(4); // the plan, three branches, no aggregator
    expect(reqs.slice(1).map((r) => r.closedEarly)).toEqual([true, true, true]);
    for (const a of ["research", "calculation", "writing"]) expect(c.traces.get(`branch:${a}`)).toMatchObject({ status: "failed", error: "stopped" });
    await c.run.result;
  });

  it("cancelling the stream (the reader went away) aborts the aggregator's upstream request too", async () => {
    mock.enqueueFaults({ reply: plan(), model: "mock-small" }, { hang: true, model: "mock-large" });
    const run = runTeam(teamInput("hi"));
    const reader = run.stream.getReader();
    for (let i = 0; i < 100 && mock.activeRequests() < 1 || modelRequests().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await reader.cancel("gone");
    await run.result;
    for (let i = 0; i < 50 && mock.activeRequests() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(modelRequests().at(-1)?.closedEarly).toBe(true);
  });

  it("a refusal of the plan call is an error part before any trace part; every call passes the guard", async () => {
    const seen: string[] = [];
    const guard: CallGuard = {
      beforeCall: async (e) => {
        seen.push(e.model);
        throw new AppError("rate_limited", "Token limit reached", { retryAfterSeconds: 3 });
      },
      afterCall: () => {},
    };
    const c = await collect(teamInput("hi", { guard }));
    expect(c.parts.map((p) => p.type)).toEqual(["start", "error"]);
    expect((c.parts[1] as { error: unknown }).error).toBeInstanceOf(AppError);
    expect(seen).toEqual(["mock-small"]);
    expect(c.events.find((e) => e.step === "plan")).toMatchObject({ outcome: "failure" });
  });

  it("passes the guard to every model call and reports each gateway event with its agent", async () => {
    mock.enqueueFaults({ reply: THREE, model: "mock-small" });
    const before: string[] = [];
    const after: Array<number | undefined> = [];
    const guard: CallGuard = { beforeCall: async (e) => void before.push(e.model), afterCall: (_e, a) => void after.push(a?.outputTokens) };
    const c = await collect(teamInput("Do three things", { guard }));
    expect(before.sort()).toEqual(["mock-large", "mock-small", "mock-small", "mock-small", "mock-small"]);
    expect(after).toHaveLength(5);
    const agents = c.events.filter((e) => e.step === "model_call").map((e) => e.data?.agent as string);
    expect(agents.sort()).toEqual(["aggregator", "calculation", "orchestrator", "research", "writing"]);
    const steps = c.events.map((e) => e.step);
    expect(steps.filter((s) => s === "specialist_started")).toHaveLength(3);
    expect(steps.filter((s) => s === "specialist_finished")).toHaveLength(3);
    for (const e of c.events.filter((x) => x.step === "specialist_finished")) {
      expect(e.data).toMatchObject({ tier: "small", model: "mock-small", status: "done" });
      expect(e.data?.outputTokens).toBeGreaterThan(0);
      expect(e.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(c.events.find((e) => e.step === "aggregate")).toMatchObject({ outcome: "success", data: { tier: "large", model: "mock-large" } });
    const r = await c.run.result;
    expect(r.answered).toMatchObject({ fallback: false });
    const total = c.events.filter((e) => ["plan", "specialist_finished", "aggregate"].includes(e.step)).reduce((s, e) => s + Number(e.data?.outputTokens ?? 0), 0);
    expect(total).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBe(total);
  });
});

describe("runTeam: plan timeouts, refusals, the aggregator's tools", () => {
  beforeEach(() => useMockModels(mock.url));

  it("a plan slower than the orchestrator's timeout falls back to the rules plan", async () => {
    mock.enqueueFaults({ hang: true, model: "mock-small" });
    const agents = agentsWith({ orchestrator: { timeoutMs: 200 } });
    const c = await collect(teamInput("Calculate 6*7", { agents }));
    expect(c.traces.get("plan")).toMatchObject({ source: "rules", fallbackReason: "the plan took longer than 0.2 s", specialists: [{ agent: "calculation" }] });
    expect(c.traces.get("branch:calculation")).toMatchObject({ status: "done" });
    expect(modelRequests()[0]?.closedEarly).toBe(true);
  });

  it("the gateway's own refusals are refusals; provider failures and bad output are not", () => {
    const gw = (kind: "unavailable" | "rate_limited" | "timeout" | "provider_error") => new GatewayError({ kind, retrySame: false, failover: false, openNow: false, message: kind });
    expect(isRefusal(gw("unavailable"))).toBe(true);
    expect(isRefusal(gw("rate_limited"))).toBe(true);
    expect(isRefusal(new Error("wrapped", { cause: gw("unavailable") }))).toBe(true);
    expect(isRefusal(new AppError("rate_limited", "Budget reached", { reason: "budget_exceeded" }))).toBe(true);
    expect(isRefusal(gw("timeout"))).toBe(false);
    expect(isRefusal(gw("provider_error"))).toBe(false);
    expect(isRefusal(new Error("boom"))).toBe(false);
  });

  it("the aggregator gets the calculator only when the calculation specialist is not there to use, and always the user's own memory tool", () => {
    process.env.CHAT_TOOLS = "calculator,clock";
    resetEnvCache();
    const withCalc = runTeam(teamInput("hi", { signal: AbortSignal.abort() }));
    expect(Object.keys(withCalc.tools).sort()).toEqual(["clock", "remember"]);
    const noCalc = runTeam(teamInput("hi", { signal: AbortSignal.abort(), agents: agentsWith({ calculation: { enabled: false } }) }));
    expect(Object.keys(noCalc.tools).sort()).toEqual(["calculator", "clock", "remember"]);
  });
});
