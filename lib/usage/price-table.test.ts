import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { BUILT_IN_DEFAULT_PRICE, BUILT_IN_PRICES, lookupPrice, priceCall } from "./price-table";
import { costOf, priceTable } from "./prices";
import { periodEnd, periodStart, resetPhrase } from "./periods";

const refusal = (vars: Record<string, string>): string => {
  try {
    parseEnv(vars);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected start-up to be refused");
};

describe("price table from the environment", () => {
  it("MODEL_PRICES is merged over the built-in defaults", () => {
    const e = parseEnv({ MODEL_PRICES: JSON.stringify({ "gpt-4o": { inputPerMTok: 1, outputPerMTok: 2 }, "llama-3-70b": { inputPerMTok: 0.5, outputPerMTok: 0.5 } }) });
    const { table, fallback } = priceTable(e);
    expect(table["gpt-4o"]).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    expect(table["gpt-4o-mini"]).toEqual(BUILT_IN_PRICES["gpt-4o-mini"]);
    expect(table["llama-3-70b"]).toEqual({ inputPerMTok: 0.5, outputPerMTok: 0.5 });
    expect(fallback).toEqual(BUILT_IN_DEFAULT_PRICE);
  });

  it("every built-in OpenAI model has a price", () => {
    for (const m of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano"]) {
      expect(BUILT_IN_PRICES[m], m).toBeDefined();
    }
  });

  it.each([
    ["a string price", { "gpt-4o": { inputPerMTok: "2.5", outputPerMTok: 10 } }, "MODEL_PRICES.gpt-4o.inputPerMTok: must be a number"],
    ["a missing field", { "my-model": { inputPerMTok: 1 } }, "MODEL_PRICES.my-model.outputPerMTok: is missing"],
    ["a negative price", { "my-model": { inputPerMTok: 1, outputPerMTok: -1 } }, "MODEL_PRICES.my-model.outputPerMTok: must not be negative"],
    ["an absurd price", { "my-model": { inputPerMTok: 1e9, outputPerMTok: 1 } }, "MODEL_PRICES.my-model.inputPerMTok: must be at most"],
    ["a misspelt field", { "my-model": { inputPerMTok: 1, outputPerMTok: 1, outputPerMtok: 2 } }, "MODEL_PRICES.my-model.outputPerMtok: is not a price field"],
    ["a bare number", { "my-model": 3 }, "MODEL_PRICES.my-model: must be an object"],
  ])("%s stops start-up with a message naming the model and the field", (_what, prices, message) => {
    expect(refusal({ MODEL_PRICES: JSON.stringify(prices) })).toContain(message);
  });

  it("MODEL_PRICES that is not JSON, or MODEL_PRICE_DEFAULT that is free or malformed, stops start-up", () => {
    expect(refusal({ MODEL_PRICES: "{gpt-4o: 1}" })).toMatch(/MODEL_PRICES: is not valid JSON/);
    expect(refusal({ MODEL_PRICE_DEFAULT: JSON.stringify({ inputPerMTok: 0, outputPerMTok: 0 }) })).toMatch(/MODEL_PRICE_DEFAULT: must not be zero/);
    expect(refusal({ MODEL_PRICE_DEFAULT: JSON.stringify({ inputPerMTok: 1 }) })).toMatch(/MODEL_PRICE_DEFAULT\.outputPerMTok: is missing/);
    expect(refusal({ BUDGET_USER_MONTHLY_USD: "-5" })).toMatch(/BUDGET_USER_MONTHLY_USD: must be at least 0.01/);
    expect(refusal({ BUDGET_USER_MONTHLY_USD: "lots" })).toMatch(/BUDGET_USER_MONTHLY_USD: must be a number/);
    expect(refusal({ BUDGET_USER_MONTHLY_USD: "2000000000" })).toMatch(/BUDGET_USER_MONTHLY_USD: must be at most/);
  });
});

describe("cost of a call", () => {
  const table = { ...BUILT_IN_PRICES, free: { inputPerMTok: 0, outputPerMTok: 0 } };
  const fallback = { inputPerMTok: 3, outputPerMTok: 15 };

  it("input and output tokens at their prices per million", () => {
    expect(priceCall(table, fallback, { model: "gpt-4o", inputTokens: 1_000_000, outputTokens: 500_000, cached: false })).toEqual({ costUsd: 2.5 + 5, defaultPriced: false, priceKey: "gpt-4o" });
    expect(priceCall(table, fallback, { model: "gpt-4.1-nano", inputTokens: 10, outputTokens: 0, cached: false }).costUsd).toBeCloseTo(0.000001, 12);
  });

  it("a dated snapshot is priced as its model (the longest matching entry)", () => {
    expect(lookupPrice(table, "gpt-4o-mini-2024-07-18")?.key).toBe("gpt-4o-mini");
    expect(lookupPrice(table, "gpt-4.1-mini-2025-04-14")?.key).toBe("gpt-4.1-mini");
    expect(lookupPrice(table, "gpt-4o-2024-08-06")?.key).toBe("gpt-4o");
    expect(lookupPrice(table, "gpt-4oo")).toBeNull();
  });

  it("a model without a price is counted at the default and flagged, never free; the offline model too", () => {
    expect(priceCall(table, fallback, { model: "mystery", inputTokens: 1_000_000, outputTokens: 0, cached: false })).toEqual({ costUsd: 3, defaultPriced: true, priceKey: "default" });
    const offline = costOf({ model: "offline-large", inputTokens: 1000, outputTokens: 1000, cached: false }, parseEnv({}));
    expect(offline.defaultPriced).toBe(true);
    expect(offline.costUsd).toBeGreaterThan(0);
  });

  it("an explicit zero entry is free on purpose (not flagged); a cache hit pays no provider", () => {
    expect(priceCall(table, fallback, { model: "free", inputTokens: 1000, outputTokens: 1000, cached: false })).toEqual({ costUsd: 0, defaultPriced: false, priceKey: "free" });
    expect(priceCall(table, fallback, { model: "gpt-4o", inputTokens: 1000, outputTokens: 1000, cached: true }).costUsd).toBe(0);
  });
});

describe("budget periods (UTC)", () => {
  const at = new Date(Date.UTC(2026, 11, 2, 15, 30)); // Wednesday 2 December 2026
  it("a month from the 1st, a week from Monday, a day from midnight", () => {
    expect(periodStart("month", at).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(periodEnd("month", at).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(periodStart("week", at).toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(periodEnd("week", at).toISOString()).toBe("2026-12-07T00:00:00.000Z");
    expect(periodStart("day", at).toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(periodEnd("day", at).toISOString()).toBe("2026-12-03T00:00:00.000Z");
    expect(periodStart("week", new Date(Date.UTC(2026, 11, 6, 23))).toISOString()).toBe("2026-11-30T00:00:00.000Z"); // Sunday
  });
  it("says when it resets", () => {
    expect(resetPhrase("month", periodEnd("month", at))).toBe("on 1 January");
    expect(resetPhrase("week", periodEnd("week", at))).toBe("on Monday 7 December");
    expect(resetPhrase("day", periodEnd("day", at))).toBe("at midnight UTC");
  });
});
