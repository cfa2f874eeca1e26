import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/admin/ui";
import { BudgetStatusList } from "@/components/usage/budget-status";
import { count, usd } from "@/components/usage/format";
import { BreakdownChart, SpendByDayChart } from "@/components/usage/usage-charts";
import { UsageFilters } from "@/components/usage/usage-filters";
import { DefaultPricedNote, UsageTotalsRow } from "@/components/usage/usage-page-parts";
import { requirePrincipal } from "@/lib/auth/require";
import { isAppError } from "@/lib/errors/app-error";
import { getOrgUsage } from "@/lib/usage/dashboard";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Usage" };

const one = (v: string | string[] | undefined) => (typeof v === "string" && v ? v : undefined);

/**
 * /admin/usage: the org's usage (admins, auditors) or the managed teams' (managers), by day,
 * person, model and agent step, with budgets and a CSV of the same view. Filters live in the URL.
 * No loading.tsx here: a streamed page could no longer answer 404 for a person outside the
 * viewer's scope (the status is sent with the first byte); the filters show their own progress.
 */
export default async function AdminUsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const p = await requirePrincipal();
  const search = await searchParams;
  let data;
  try {
    data = await getOrgUsage(p, search);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    if (isAppError(e) && e.code === "validation_failed") {
      return (
        <p role="alert" className="text-sm text-red-700">
          {e.message}
        </p>
      );
    }
    throw e;
  }
  const q = new URLSearchParams({ from: data.range.from, to: data.range.to, ...data.filters });
  const people = new Map(data.options.people.map((u) => [u.id, u]));
  return (
    <div>
      <PageHeader
        title="Usage"
        description={
          data.scope === "org"
            ? "Model calls and their cost across the organization, by day (UTC), person, model and agent step."
            : "Model calls and their cost in the teams you manage, by day (UTC), person, model and agent step."
        }
      >
        <a href={`/api/admin/usage/export.csv?${q.toString()}`} className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-800" download>
          Export CSV
        </a>
      </PageHeader>
      <UsageFilters
        values={{ from: data.range.from, to: data.range.to, team: one(search.team), user: one(search.user), model: one(search.model) }}
        options={{ teams: data.options.teams, people: data.options.people, models: data.options.models }}
      />
      <UsageTotalsRow totals={data.totals} />
      <DefaultPricedNote calls={data.totals.defaultPricedCalls} />
      {data.totals.calls === 0 ? (
        <div className="mb-6 rounded-lg border border-dashed border-neutral-300 p-8 text-center dark:border-neutral-700" data-testid="usage-empty">
          <p className="font-medium">No usage in this range</p>
          <p className="mt-1 text-sm text-neutral-600 dark:text-neutral-400">Try a wider date range or fewer filters.</p>
        </div>
      ) : (
        <div className="mb-6 grid gap-4 lg:grid-cols-2">
          <div className="lg:col-span-2">
            <SpendByDayChart points={data.byDay} />
          </div>
          <BreakdownChart title="Spend by person" what="people" column="Person" groups={data.byUser} testId="chart-by-user" />
          <BreakdownChart title="Spend by model" what="models" column="Model" groups={data.byModel} testId="chart-by-model" />
          <BreakdownChart title="Spend by agent step" what="agent steps" column="Agent" groups={data.byAgent} testId="chart-by-agent" />
          <section className="rounded-lg border border-neutral-200 p-4 dark:border-neutral-800" aria-labelledby="top-users">
            <h2 id="top-users" className="mb-3 text-sm font-semibold">
              Top people
            </h2>
            <table className="w-full text-left text-sm" aria-label="Top people by spend" data-testid="top-users">
              <thead className="text-xs text-neutral-500 uppercase">
                <tr>
                  <th scope="col" className="py-1 font-medium">
                    Person
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Spend
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Calls
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800">
                {data.topUsers.map((u) => (
                  <tr key={u.key}>
                    <td className="py-1">
                      {u.name}
                      <span className="block text-xs text-neutral-500">{u.email ?? people.get(u.key)?.email ?? ""}</span>
                    </td>
                    <td className="py-1 text-right tabular-nums">{usd(u.costUsd)}</td>
                    <td className="py-1 text-right tabular-nums">{count(u.calls)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}
      <section aria-labelledby="budget-status-heading" className="rounded-lg border border-neutral-200 p-4 dark:border-neutral-800">
        <h2 id="budget-status-heading" className="mb-3 text-sm font-semibold">
          Budget status (this period)
        </h2>
        <BudgetStatusList budgets={data.budgets} emptyText="No budgets are set here." />
      </section>
    </div>
  );
}
