import { describe, expect, it } from "vitest";
import { layoutTimeline, stepLabel } from "./timeline-layout";

const T0 = Date.parse("2026-01-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe("the step timeline's layout", () => {
  it("places each kind of step the way the turn timed it", () => {
    const { bars, totalMs, startedAt } = layoutTimeline([
      { id: "r", action: "chat.request_received", createdAt: at(0), latencyMs: null, outcome: "success" },
      {
        id: "m1",
        action: "chat.model_call",
        createdAt: at(10),
        latencyMs: 190,
        outcome: "success",
        data: { call: 1, attempt: 1 },
      },
      {
        id: "t",
        action: "chat.tool_call",
        createdAt: at(200),
        latencyMs: 100,
        outcome: "success",
        data: { tool: "calculator" },
      },
      { id: "f", action: "chat.first_token", createdAt: at(350), latencyMs: 350, outcome: "success" },
      {
        id: "m2",
        action: "chat.model_call",
        createdAt: at(300),
        latencyMs: 600,
        outcome: "success",
        data: { call: 2, attempt: 2 },
      },
      {
        id: "c",
        action: "chat.response_completed",
        createdAt: at(1000),
        latencyMs: 1000,
        outcome: "success",
      },
    ]);
    expect(totalMs).toBe(1000);
    expect(startedAt).toBe(at(0));
    const by = Object.fromEntries(bars.map((b) => [b.id, b]));
    expect(by.r).toMatchObject({
      startMs: 0,
      durationMs: 0,
      instant: true,
      width: 0,
      label: "Request received",
    });
    expect(by.m1).toMatchObject({ startMs: 10, durationMs: 190, left: 1, width: 19, label: "Model call 1" });
    expect(by.t).toMatchObject({
      startMs: 200,
      durationMs: 100,
      left: 20,
      width: 10,
      label: "Tool call: calculator",
    });
    expect(by.f).toMatchObject({ startMs: 0, durationMs: 350, left: 0, width: 35, label: "First token" });
    expect(by.m2).toMatchObject({ startMs: 300, durationMs: 600, label: "Model call 2 (attempt 2)" });
    expect(by.c).toMatchObject({ startMs: 0, durationMs: 1000, left: 0, width: 100, label: "Completed" });
    expect(bars.map((b) => b.id)).toEqual(["r", "m1", "t", "f", "m2", "c"]);
  });

  it("keeps tiny steps visible and never runs off the axis", () => {
    const { bars } = layoutTimeline([
      { id: "a", action: "chat.request_received", createdAt: at(0), latencyMs: null, outcome: "success" },
      { id: "b", action: "chat.tool_call", createdAt: at(9_999), latencyMs: 0, outcome: "failure" },
      {
        id: "c",
        action: "chat.response_failed",
        createdAt: at(10_000),
        latencyMs: 10_000,
        outcome: "failure",
      },
    ]);
    const b = bars.find((x) => x.id === "b")!;
    expect(b.width).toBeGreaterThan(0);
    expect(b.left + b.width).toBeLessThanOrEqual(100);
  });

  it("an empty or instant-only request still has an axis", () => {
    expect(layoutTimeline([])).toEqual({ bars: [], totalMs: 1, startedAt: null });
    expect(
      layoutTimeline([
        { id: "x", action: "user.role_changed", createdAt: at(0), latencyMs: null, outcome: "success" },
      ]).totalMs,
    ).toBe(1);
    expect(stepLabel({ action: "something.new", data: null })).toBe("something.new");
    expect(stepLabel({ action: "chat.model_call", data: { call: 1, attempt: 2, agent: "orchestrator" } })).toBe(
      "Model call 1 · orchestrator (attempt 2)",
    );
    expect(stepLabel({ action: "chat.model_call", data: { call: 1, attempt: 1 } })).toBe("Model call 1");
  });
});
