import { describe, expect, it } from "vitest";
import {
  branchStatusText,
  formatDuration,
  liveAnnouncement,
  planText,
  readTrace,
  rowState,
  summaryLine,
  totalMs,
  type TraceView,
} from "./trace-model";

const plan = (agents: Array<"research" | "calculation" | "writing">, extra: Record<string, unknown> = {}) => ({
  type: "data-trace",
  id: "plan",
  data: { kind: "plan", status: "done", source: "model", specialists: agents.map((agent) => ({ agent, task: `do ${agent}` })), tier: "small", latencyMs: 300, ...extra },
});
const branch = (agent: string, data: Record<string, unknown>) => ({
  type: "data-trace",
  id: `branch:${agent}`,
  data: { kind: "branch", agent, task: `do ${agent}`, status: "running", tier: "small", model: "m-small", startedAt: 1_000, ...data },
});
const aggregate = (data: Record<string, unknown>) => ({ type: "data-trace", id: "aggregate", data: { kind: "aggregate", status: "done", tier: "large", ...data } });

function view(parts: unknown[]): TraceView {
  const v = readTrace(parts as Parameters<typeof readTrace>[0]);
  if (!v) throw new Error("no trace");
  return v;
}

describe("readTrace", () => {
  it("is null for a message without trace parts (an answer from before the agents, or a plain reply)", () => {
    expect(readTrace([{ type: "text" }, { type: "tool-calculator" }])).toBeNull();
  });

  it("ignores parts that fail the schema, and a trace of only bad parts is no trace", () => {
    const bad = [
      { type: "data-trace", id: "plan", data: { kind: "plan", status: "weird", tier: "small" } },
      { type: "data-trace", id: "branch:x", data: { kind: "branch", agent: "hacker", status: "done" } },
      { type: "data-trace", id: "junk", data: "not an object" },
      { type: "data-trace", id: "null" },
    ];
    expect(readTrace(bad)).toBeNull();
    const v = view([...bad, branch("calculation", { status: "done", latencyMs: 500 })]);
    expect(v.plan).toBeUndefined();
    expect(v.branches.map((b) => b.agent)).toEqual(["calculation"]);
  });

  it("the same id written again replaces the earlier value (running → done in place)", () => {
    const v = view([plan(["calculation"]), branch("calculation", {}), branch("calculation", { status: "done", latencyMs: 800, output: "36" })]);
    expect(v.branches).toHaveLength(1);
    expect(v.branches[0]).toMatchObject({ status: "done", output: "36" });
  });

  it("orders branches as the plan listed them, whatever order their updates came in", () => {
    const v = view([plan(["research", "calculation"]), branch("calculation", {}), branch("research", {})]);
    expect(v.branches.map((b) => b.agent)).toEqual(["research", "calculation"]);
  });

  it("reads the memories the orchestrator was given", () => {
    const v = view([{ type: "data-trace", id: "memory", data: { kind: "memory", items: [{ id: "m1", text: "Prefers metric units" }] } }]);
    expect(v.memories).toEqual([{ id: "m1", text: "Prefers metric units" }]);
  });
});

describe("durations", () => {
  it("formats milliseconds for people", () => {
    expect(formatDuration(400)).toBe("0.4 s");
    expect(formatDuration(2_140)).toBe("2.1 s");
    expect(formatDuration(9_949)).toBe("9.9 s");
    expect(formatDuration(12_400)).toBe("12 s");
    expect(formatDuration(65_000)).toBe("1 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(-5)).toBe("< 0.1 s");
    expect(formatDuration(49)).toBe("< 0.1 s");
    expect(formatDuration(50)).toBe("0.1 s");
  });

  it("adds the phases as they ran: plan, the slowest branch, the answer", () => {
    const v = view([
      plan(["research", "calculation"]),
      branch("research", { status: "done", latencyMs: 900 }),
      branch("calculation", { status: "done", latencyMs: 400 }),
      aggregate({ latencyMs: 900 }),
    ]);
    expect(totalMs(v)).toBe(300 + 900 + 900);
    expect(totalMs(view([branch("writing", {})]))).toBeNull();
  });
});

describe("summaryLine (the collapsed trace)", () => {
  it("counts the specialists and gives the turn's time", () => {
    const v = view([
      plan(["research", "calculation", "writing"]),
      branch("research", { status: "done", latencyMs: 1_000 }),
      branch("calculation", { status: "done", latencyMs: 200 }),
      branch("writing", { status: "done", latencyMs: 500 }),
      aggregate({ latencyMs: 800 }),
    ]);
    expect(summaryLine(v)).toBe("3 specialists · 2.1 s");
  });

  it("says 'Answered directly' when the plan chose none", () => {
    expect(summaryLine(view([plan([], { latencyMs: 150 }), aggregate({ latencyMs: 250 })]))).toBe("Answered directly · 0.4 s");
  });

  it("one specialist is singular, and failures and timeouts are named", () => {
    expect(summaryLine(view([plan(["writing"]), branch("writing", { status: "done", latencyMs: 700 })]))).toBe("1 specialist · 1.0 s");
    const v = view([
      plan(["research", "calculation"]),
      branch("research", { status: "timeout", latencyMs: 8_000, error: "timed out" }),
      branch("calculation", { status: "failed", latencyMs: 100, error: "bad output" }),
      aggregate({ latencyMs: 1_000 }),
    ]);
    expect(summaryLine(v)).toBe("2 specialists · 9.3 s · 1 failed · 1 timed out");
  });
});

describe("status mapping", () => {
  it("a running row spins only while the turn runs; afterwards it was stopped", () => {
    expect(rowState("running", true)).toBe("running");
    expect(rowState("running", false)).toBe("stopped");
    expect(rowState("timeout", false)).toBe("timeout");
    expect(rowState("done", true)).toBe("done");
  });

  it("puts each branch status in words", () => {
    const [running, done, timeout, failed] = view([
      plan(["research", "calculation", "writing"]),
      branch("research", {}),
      branch("calculation", { status: "done", latencyMs: 1_234 }),
      branch("writing", { status: "timeout", latencyMs: 8_000 }),
    ]).branches.concat(view([branch("writing", { status: "failed", error: "the reply failed its schema" })]).branches);
    expect(branchStatusText(running!, true)).toBe("running");
    expect(branchStatusText(running!, false)).toBe("stopped");
    expect(branchStatusText(done!, true)).toBe("done in 1.2 s");
    expect(branchStatusText(timeout!, true)).toBe("timed out after 8.0 s");
    expect(branchStatusText(failed!, false)).toBe("failed: the reply failed its schema");
  });

  it("names the plan's choice", () => {
    expect(planText(view([plan(["calculation", "research", "writing"])]), false)).toBe("Calculation, Research and Writing");
    expect(planText(view([plan([])]), false)).toBe("Answering directly");
    expect(planText(view([plan([], { status: "running" })]), true)).toBe("Planning…");
  });
});

describe("liveAnnouncement (what the screen reader hears)", () => {
  it("one short sentence per event: the plan, each branch finishing, all finished", () => {
    const p = plan(["research", "calculation"]);
    expect(liveAnnouncement(view([plan([], { status: "running" })]))).toBe("");
    expect(liveAnnouncement(view([p, branch("research", {}), branch("calculation", {})]))).toBe("Asking Research and Calculation.");
    const oneDone = view([p, branch("research", {}), branch("calculation", { status: "done", latencyMs: 400 })]);
    expect(liveAnnouncement(oneDone)).toBe("Calculation done in 0.4 s, 1 of 2 finished.");
    const both = view([p, branch("research", { status: "timeout", latencyMs: 900 }), branch("calculation", { status: "done", latencyMs: 400 })]);
    expect(liveAnnouncement(both)).toBe("Research timed out after 0.9 s. All 2 specialists finished; writing the answer.");
    expect(liveAnnouncement(view([plan([])]))).toBe("Answering directly.");
  });

  it("does not change while only the answer's tokens arrive", () => {
    const p = [plan(["writing"]), branch("writing", { status: "done", latencyMs: 300 })];
    const before = liveAnnouncement(view([...p, aggregate({ status: "running" })]));
    expect(liveAnnouncement(view([...p, aggregate({ status: "running" }), { type: "text", text: "lots of tokens" }]))).toBe(before);
  });
});
