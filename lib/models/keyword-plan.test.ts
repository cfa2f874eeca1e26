import { describe, expect, it } from "vitest";
import { arithmeticExpression, keywordPlan, searchQuery } from "./keyword-plan";

const ALL = ["research", "calculation", "writing"];

describe("keywordPlan", () => {
  it.each([
    ["Calculate 2+2", ["calculation"]],
    ["what is 15% of 80", ["calculation"]],
    ["(3 + 4) * 5 = ?", ["calculation"]],
    ["Summarize this: a long text", ["writing"]],
    ["Please rewrite my paragraph", ["writing"]],
    ["Draft an email to the team", ["writing"]],
    ["Find where I said we would meet", ["research"]],
    ["What did we decide in my earlier conversations?", ["research"]],
    ["hello", []],
    ["I have 3 kids", []],
    ["calculate the mood", []], // a calculation with nothing to calculate is not planned
  ])("%s → %j", (text, agents) => {
    expect(keywordPlan(text, ALL).map((p) => p.agent)).toEqual(agents);
  });
});

describe("arithmeticExpression", () => {
  it.each([
    ["What is 15% of 1200?", "15*1200/100"],
    ["12.5 percent of 80", "12.5*80/100"],
    ["calculate (12.5 + 7) * 3 please", "(12.5+7)*3"],
    ["3 x 4", "3*4"],
    ["10 ÷ 4", "10/4"],
    ["1,200 * 3", "1200*3"],
    ["2^10", "2^10"],
    ["add 20% to 50", "(20/100)"],
    ["no numbers here", null],
    ["in 2024 we", null],
  ])("%s → %s", (text, expr) => {
    expect(arithmeticExpression(text)).toBe(expr);
  });
});

describe("searchQuery", () => {
  it("keeps the content words", () => {
    expect(searchQuery("Find where I talked about the quarterly budget in my earlier conversations")).toBe("quarterly budget");
  });
});
