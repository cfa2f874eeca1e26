import { count, percent, usd } from "./format";
import type { Totals } from "./usage-charts";

/** The headline figures of a range: spend, calls, tokens, and what share was priced at the default. */
export function UsageTotalsRow({ totals }: { totals: Totals }) {
  const share = totals.calls > 0 ? totals.defaultPricedCalls / totals.calls : 0;
  const items = [
    { label: "Spend", value: usd(totals.costUsd) },
    { label: "Model calls", value: count(totals.calls) },
    { label: "Tokens (in / out)", value: `${count(totals.inputTokens)} / ${count(totals.outputTokens)}` },
    { label: "From cache", value: count(totals.cachedCalls) },
    { label: "Calls at the default price", value: `${count(totals.defaultPricedCalls)} (${percent(share)})` },
  ];
  return (
    <dl className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="usage-totals">
      {items.map((i) => (
        <div key={i.label} className="rounded-lg border border-neutral-200 p-3 dark:border-neutral-800">
          <dt className="text-xs text-neutral-600 dark:text-neutral-400">{i.label}</dt>
          <dd className="mt-1 text-lg font-semibold tabular-nums">{i.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function DefaultPricedNote({ calls }: { calls: number }) {
  if (calls === 0) return null;
  return (
    <p role="note" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200" data-testid="default-priced-note">
      {count(calls)} {calls === 1 ? "call was" : "calls were"} counted at the default price (MODEL_PRICE_DEFAULT): {calls === 1 ? "its model has" : "their models have"} no price in the table. Set MODEL_PRICES to price them exactly.
    </p>
  );
}

export function UsageSkeleton({ label }: { label: string }) {
  return (
    <div aria-busy="true" aria-label={label} className="space-y-4">
      <div className="h-8 w-48 animate-pulse rounded bg-neutral-200 dark:bg-neutral-800" />
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-16 animate-pulse rounded-lg bg-neutral-200 dark:bg-neutral-800" />
        ))}
      </div>
      <div className="h-64 animate-pulse rounded-lg bg-neutral-200 dark:bg-neutral-800" />
    </div>
  );
}
