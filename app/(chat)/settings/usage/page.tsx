import type { Metadata } from "next";
import { BudgetStatusList } from "@/components/usage/budget-status";
import { BreakdownChart, SpendByDayChart, TokensByDayChart } from "@/components/usage/usage-charts";
import { UsageFilters } from "@/components/usage/usage-filters";
import { DefaultPricedNote, UsageTotalsRow } from "@/components/usage/usage-page-parts";
import { requirePrincipal } from "@/lib/auth/require";
import { isAppError } from "@/lib/errors/app-error";
import { getMyUsage } from "@/lib/usage/dashboard";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Usage" };

/** /settings/usage: my own spend and tokens by day and by model, against my budgets. */
export default async function MyUsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const p = await requirePrincipal();
  const search = await searchParams;
  let data;
  try {
    data = await getMyUsage(p, search);
  } catch (e) {
    if (isAppError(e) && e.code === "validation_failed") {
      return (
        <p role="alert" className="text-sm text-red-700">
          {e.message}
        </p>
      );
    }
    throw e;
  }
  const model = typeof search.model === "string" ? search.model : undefined;
  return (
    <div>
      <h2 className="mb-1 text-lg font-semibold">Your usage</h2>
      <p className="mb-4 text-sm text-neutral-600 dark:text-neutral-400">What your model calls cost, by day and by model (UTC days), and where you stand against your budgets.</p>
      <UsageFilters values={{ from: data.range.from, to: data.range.to, ...(model ? { model } : {}) }} options={{ models: data.byModel.map((m) => m.key) }} />
      <section aria-labelledby="my-budgets" className="mb-6">
        <h3 id="my-budgets" className="mb-2 text-sm font-semibold">
          Budgets
        </h3>
        <BudgetStatusList budgets={data.budgets.map((b) => ({ ...b, subjectName: null }))} emptyText="No spending limit applies to you." />
      </section>
      <UsageTotalsRow totals={data.totals} />
      <DefaultPricedNote calls={data.totals.defaultPricedCalls} />
      {data.totals.calls === 0 ? (
        <div className="rounded-lg border border-dashed border-neutral-300 p-8 text-center dark:border-neutral-700" data-testid="usage-empty">
          <p className="font-medium">No usage in this range</p>
          <p className="mt-1 text-sm text-neutral-600 dark:text-neutral-400">Your chats’ model calls will show here.</p>
        </div>
      ) : (
        <div className="grid gap-4">
          <SpendByDayChart points={data.byDay} />
          <TokensByDayChart points={data.byDay} />
          <BreakdownChart title="Spend by model" what="models" column="Model" groups={data.byModel} testId="chart-by-model" />
        </div>
      )}
    </div>
  );
}
