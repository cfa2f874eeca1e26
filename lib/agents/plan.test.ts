import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parsePlan, planSchema, orchestratorInstructions } from "./plan";
import { rulesPlan } from "./rules-plan";
import { DEFAULT_AGENTS } from "./defaults";

const ALL = ["research", "calculation", "writing"] as const;

describe("parsePlan", () => {
  it("accepts a valid plan, keeps inputs, and drops a repeated specialist (first task wins)", () => {
    const r = parsePlan(
      {
        specialists: [
          { agent: "calculation", task: "Add them", input: "2+2" },
          { agent: "writing", task: "Draft" },
          { agent: "calculation", task: "Again" },
        ],
      },
      ALL,
    );
    expect(r).toEqual({
      ok: true,
      plan: { source: "model", specialists: [{ agent: "calculation", task: "Add them", input: "2+2" }, { agent: "writing", task: "Draft" }] },
    });
  });

  it("an empty plan is valid: the aggregator answers directly", () => {
    expect(parsePlan({ specialists: [] }, ALL)).toEqual({ ok: true, plan: { source: "model", specialists: [] } });
  });

  it.each([
    ["an unknown agent", { specialists: [{ agent: "astrology", task: "x" }] }, /specialists\.0\.agent/],
    ["an agent the user may not use", { specialists: [{ agent: "research", task: "x" }] }, /specialists\.0\.agent/],
    ["an empty task", { specialists: [{ agent: "writing", task: "  " }] }, /specialists\.0\.task/],
    ["no specialists field", { plan: [] }, /specialists/],
    ["not an object", "calculation", /invalid plan/],
    ["too many", { specialists: Array.from({ length: 9 }, () => ({ agent: "writing", task: "x" })) }, /specialists/],
  ])("rejects %s with a reason", (_name, value, reason) => {
    const r = parsePlan(value, ["calculation", "writing"]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("with no specialist available nothing is valid", () => {
    expect(parsePlan({ specialists: [] }, [])).toEqual({ ok: false, reason: "no specialist is available" });
  });

  it("the JSON schema a model sees lists only the allowed agents", () => {
    const json = JSON.stringify(z.toJSONSchema(planSchema(["writing"])));
    expect(json).toContain('"enum":["writing"]');
    expect(json).not.toContain("research");
  });

  it("the orchestrator's instructions name the allowed specialists and the recalled memories", () => {
    const text = orchestratorInstructions(DEFAULT_AGENTS.orchestrator, ["calculation"], [{ text: "I work in Lisbon" }]);
    expect(text).toContain("- calculation: ");
    expect(text).not.toContain("- research: ");
    expect(text).toContain("- I work in Lisbon");
  });
});

describe("rulesPlan (the deterministic fallback)", () => {
  it("routes by keywords, records why, and respects the allowed list", () => {
    expect(rulesPlan("What is 15% of 1200?", ALL, "invalid plan: x")).toEqual({
      source: "rules",
      fallbackReason: "invalid plan: x",
      specialists: [{ agent: "calculation", task: "Calculate 15*1200/100", input: "15*1200/100" }],
    });
    expect(rulesPlan("What is 15% of 1200?", ["writing"], "r").specialists).toEqual([]);
    expect(rulesPlan("hello", ALL, "r").specialists).toEqual([]);
  });

  it("can plan several specialists at once, in a fixed order", () => {
    const p = rulesPlan("Find where I mentioned the offsite in my earlier conversations, calculate 12*3 and summarize: the offsite is in May", ALL, "r");
    expect(p.specialists.map((s) => s.agent)).toEqual(["research", "calculation", "writing"]);
    expect(p.specialists[0]!.input).toBe("offsite 12 may");
    expect(p.specialists[1]!.input).toBe("12*3");
    expect(p.specialists[2]!.input).toBe("the offsite is in May");
  });
});
