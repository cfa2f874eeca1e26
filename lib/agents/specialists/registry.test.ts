import { describe, expect, it } from "vitest";
import { DEFAULT_AGENTS } from "../defaults";
import { fakePrincipal } from "../team-test-kit";
import { SPECIALIST_IDS } from "../types";
import { SPECIALISTS } from ".";

describe("the specialists registry", () => {
  it("has one entry per specialist id, agreeing with the built-in defaults", () => {
    expect(Object.keys(SPECIALISTS).sort()).toEqual([...SPECIALIST_IDS].sort());
    for (const id of SPECIALIST_IDS) {
      const s = SPECIALISTS[id];
      expect(s.id).toBe(id);
      expect(s.description.length).toBeGreaterThan(10);
      expect(DEFAULT_AGENTS[id]).toMatchObject({ id, version: 0, tier: s.defaultTier, timeoutMs: s.defaultTimeoutMs, instructions: s.instructions, enabled: true, allowedRoles: [] });
    }
    expect(DEFAULT_AGENTS.orchestrator.tier).toBe("small");
    expect(DEFAULT_AGENTS.aggregator.tier).toBe("large");
  });

  it("builds tools per principal: research gets a search bound to the caller, calculation its tools, writing none", () => {
    const scoped = { search: { messages: async () => [] } };
    const ctx = { scoped, conversationId: "c1" };
    expect(Object.keys(SPECIALISTS.research.toolsFor(fakePrincipal(), ctx))).toEqual(["search"]);
    expect(Object.keys(SPECIALISTS.calculation.toolsFor(fakePrincipal(), ctx)).sort()).toEqual(["calculator", "convert", "table"]);
    expect(SPECIALISTS.writing.toolsFor(fakePrincipal(), ctx)).toEqual({});
  });

  it("turns the plan's input into what the tools read", () => {
    expect(SPECIALISTS.calculation.prompt("Calculate", '2+"2"')).toBe('Calculate\n\nUse the calculator tool with expression: "2+2"');
    expect(SPECIALISTS.research.prompt("Find", 'the "budget"')).toBe(`Find\n\nUse the search tool with query: "the 'budget'"`);
    expect(SPECIALISTS.writing.prompt("Summarize", "some text")).toBe("Summarize\n\nText:\nsome text");
    expect(SPECIALISTS.writing.prompt("Draft", undefined)).toBe("Draft");
  });
});
