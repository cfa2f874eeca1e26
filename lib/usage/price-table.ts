import { z } from "zod";

/**
 * The price table: USD per million tokens, input and output, per model id. Pure (zod only) so the
 * environment's parser (lib/config/env.ts) can validate MODEL_PRICES and MODEL_PRICE_DEFAULT at
 * start-up and refuse a malformed entry naming the model and the field.
 */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * OpenAI's public list prices (USD per 1M tokens, standard tier, uncached input) when this was
 * written. Defaults only: set MODEL_PRICES to what your contract says.
 */
export const BUILT_IN_PRICES: PriceTable = {
  "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10 },
  "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  "gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8 },
  "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  "gpt-4.1-nano": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  o3: { inputPerMTok: 2, outputPerMTok: 8 },
  "o4-mini": { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  "gpt-5": { inputPerMTok: 1.25, outputPerMTok: 10 },
  "gpt-5-mini": { inputPerMTok: 0.25, outputPerMTok: 2 },
  "gpt-5-nano": { inputPerMTok: 0.05, outputPerMTok: 0.4 },
};

/** For a model with no price (MODEL_PRICE_DEFAULT unset): gpt-4o's, on the expensive side on purpose. */
export const BUILT_IN_DEFAULT_PRICE: ModelPrice = { inputPerMTok: 2.5, outputPerMTok: 10 };

/** Over this per million tokens is a typo, not a price. */
const MAX_PRICE = 1_000_000;
const FIELDS = ["inputPerMTok", "outputPerMTok"] as const;

type Issue = { path: string[]; message: string };

function checkPrice(value: unknown, path: string[], opts: { allowZero: boolean }): { price?: ModelPrice; issues: Issue[] } {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return { issues: [{ path, message: 'must be an object like { "inputPerMTok": 2.5, "outputPerMTok": 10 } (USD per million tokens)' }] };
  }
  const v = value as Record<string, unknown>;
  const issues: Issue[] = [];
  for (const k of Object.keys(v)) {
    if (!(FIELDS as readonly string[]).includes(k)) issues.push({ path: [...path, k], message: "is not a price field (inputPerMTok, outputPerMTok)" });
  }
  for (const f of FIELDS) {
    const n = v[f];
    if (n === undefined) issues.push({ path: [...path, f], message: "is missing (USD per million tokens)" });
    else if (typeof n !== "number" || !Number.isFinite(n)) issues.push({ path: [...path, f], message: "must be a number (USD per million tokens)" });
    else if (n < 0) issues.push({ path: [...path, f], message: "must not be negative" });
    else if (n > MAX_PRICE) issues.push({ path: [...path, f], message: `must be at most ${MAX_PRICE}` });
  }
  if (!opts.allowZero && issues.length === 0 && v.inputPerMTok === 0 && v.outputPerMTok === 0) {
    issues.push({ path, message: "must not be zero: a model with no price is never counted as free" });
  }
  return issues.length ? { issues } : { price: { inputPerMTok: v.inputPerMTok as number, outputPerMTok: v.outputPerMTok as number }, issues };
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (err) {
    return { ok: false, message: `is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

function report(ctx: z.RefinementCtx, issues: Issue[]): void {
  for (const i of issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
}

/**
 * MODEL_PRICES: `{ "gpt-4o": { "inputPerMTok": 2.5, "outputPerMTok": 10 }, … }`. An entry of
 * zero for both is allowed (an explicit choice, e.g. a model you host); only the default may
 * not be free. Issue paths name the model and the field: `MODEL_PRICES.gpt-4o.inputPerMTok`.
 */
export const ModelPricesEnv = z.string().transform((raw, ctx): PriceTable => {
  const json = parseJson(raw);
  if (!json.ok) {
    report(ctx, [{ path: [], message: json.message }]);
    return z.NEVER;
  }
  if (!json.value || typeof json.value !== "object" || Array.isArray(json.value)) {
    report(ctx, [{ path: [], message: 'must be a JSON object of model id → { "inputPerMTok": n, "outputPerMTok": n }' }]);
    return z.NEVER;
  }
  const out: Record<string, ModelPrice> = {};
  const issues: Issue[] = [];
  for (const [model, value] of Object.entries(json.value as Record<string, unknown>)) {
    if (!model.trim()) {
      issues.push({ path: [model], message: "a model id must not be empty" });
      continue;
    }
    const r = checkPrice(value, [model], { allowZero: true });
    issues.push(...r.issues);
    if (r.price) out[model] = r.price;
  }
  if (issues.length) {
    report(ctx, issues);
    return z.NEVER;
  }
  return out;
});

/** MODEL_PRICE_DEFAULT: `{ "inputPerMTok": n, "outputPerMTok": n }`, not both zero. */
export const ModelPriceDefaultEnv = z.string().transform((raw, ctx): ModelPrice => {
  const json = parseJson(raw);
  if (!json.ok) {
    report(ctx, [{ path: [], message: json.message }]);
    return z.NEVER;
  }
  const r = checkPrice(json.value, [], { allowZero: false });
  if (!r.price) {
    report(ctx, r.issues);
    return z.NEVER;
  }
  return r.price;
});

export interface PricedCall {
  costUsd: number;
  /** Counted at the default price: the model has none of its own. */
  defaultPriced: boolean;
  /** The table entry used (the model id or the prefix it matched), or "default". */
  priceKey: string;
}

/**
 * The price of a model id: its own entry, else the longest entry it starts with followed by a
 * dash (a dated snapshot such as gpt-4o-2024-08-06 is priced as gpt-4o), else the default.
 */
export function lookupPrice(table: PriceTable, model: string): { price: ModelPrice; key: string } | null {
  const own = table[model];
  if (own) return { price: own, key: model };
  let best: string | null = null;
  for (const k of Object.keys(table)) {
    if (model.startsWith(`${k}-`) && (!best || k.length > best.length)) best = k;
  }
  return best ? { price: table[best]!, key: best } : null;
}

/** What one call costs. A cache hit paid no provider: it costs nothing, whatever its model. */
export function priceCall(
  table: PriceTable,
  fallback: ModelPrice,
  call: { model: string; inputTokens: number; outputTokens: number; cached: boolean },
): PricedCall {
  const found = lookupPrice(table, call.model);
  const price = found?.price ?? fallback;
  const costUsd = call.cached ? 0 : (call.inputTokens * price.inputPerMTok + call.outputTokens * price.outputPerMTok) / 1_000_000;
  return { costUsd, defaultPriced: !found, priceKey: found?.key ?? "default" };
}
