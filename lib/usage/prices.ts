import { env, type Env } from "@/lib/config/env";
import { BUILT_IN_DEFAULT_PRICE, BUILT_IN_PRICES, priceCall, type ModelPrice, type PriceTable, type PricedCall } from "./price-table";

/** The prices in force: MODEL_PRICES over the built-in defaults, and the price for a model with none. */
export function priceTable(e: Pick<Env, "MODEL_PRICES" | "MODEL_PRICE_DEFAULT"> = env()): { table: PriceTable; fallback: ModelPrice } {
  return { table: { ...BUILT_IN_PRICES, ...(e.MODEL_PRICES ?? {}) }, fallback: e.MODEL_PRICE_DEFAULT ?? BUILT_IN_DEFAULT_PRICE };
}

/** One call's cost at the configured prices (flagged when counted at the default). */
export function costOf(call: { model: string; inputTokens: number; outputTokens: number; cached: boolean }, e?: Pick<Env, "MODEL_PRICES" | "MODEL_PRICE_DEFAULT">): PricedCall {
  const { table, fallback } = priceTable(e);
  return priceCall(table, fallback, call);
}
