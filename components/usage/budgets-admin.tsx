"use client";

import { useState } from "react";
import { adminFetch, fieldMessage, messageOf } from "@/components/admin/api";
import { buttonClass, EmptyState, inputClass, PageHeader, selectClass } from "@/components/admin/ui";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { day, usd } from "./format";

/** What GET /api/admin/budgets answers (dates as strings over the wire). */
export interface BudgetsOverviewDto {
  budgets: Array<{ id: string; scope: Scope; subjectId: string; subjectName: string | null; period: Period; limitUsd: number; softPercent: number; spentUsd: number; resetsAt: string }>;
  defaults: { userMonthlyUsd: number | null; softPercent: number };
  teams: Array<{ id: string; name: string }>;
  people: Array<{ id: string; name: string; email: string }>;
  orgId: string;
}

type Scope = "org" | "team" | "user";
type Period = "day" | "week" | "month";

const PERIOD: Record<Period, string> = { day: "Daily", week: "Weekly", month: "Monthly" };
const budgetPath = (scope: Scope, subject: string) => `/api/admin/budgets/${scope}/${encodeURIComponent(subject)}`;

/**
 * /admin/budgets: spend limits per person, team or the whole org, per UTC day, week or month.
 * The API checks every value and names the field it refuses; that message is shown by the field.
 */
export function BudgetsAdmin({ initial }: { initial: BudgetsOverviewDto }) {
  const hydrated = useHydrated();
  const [data, setData] = useState(initial);
  const [form, setForm] = useState({ scope: "user" as Scope, subject: "", limitUsd: "", period: "month" as Period, softPercent: String(initial.defaults.softPercent) });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const reload = async () => setData(await adminFetch<BudgetsOverviewDto>("/api/admin/budgets"));
  const subject = form.scope === "org" ? "org" : form.subject;

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      // Sent as typed: the server refuses what is not a number, naming the field.
      const limit = form.limitUsd.trim() === "" ? "" : Number.isNaN(Number(form.limitUsd)) ? form.limitUsd : Number(form.limitUsd);
      const soft = form.softPercent.trim() === "" ? undefined : Number.isNaN(Number(form.softPercent)) ? form.softPercent : Number(form.softPercent);
      await adminFetch(budgetPath(form.scope, subject || "-"), { method: "PUT", body: { limitUsd: limit, period: form.period, ...(soft !== undefined ? { softPercent: soft } : {}) } });
      await reload();
      setSaved("Budget saved");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (scope: Scope, subjectId: string) => {
    setError(null);
    setSaved(null);
    try {
      await adminFetch(budgetPath(scope, subjectId), { method: "DELETE" });
      await reload();
      setSaved("Budget removed");
    } catch (err) {
      setError(err);
    }
  };

  const limitError = fieldMessage(error, "limitUsd");
  const softError = fieldMessage(error, "softPercent");
  const periodError = fieldMessage(error, "period");
  const general = error && !limitError && !softError && !periodError ? messageOf(error) : null;

  return (
    <div>
      <PageHeader
        title="Budgets"
        description={`Spend limits per person, team or the whole organization, per calendar day, week or month (UTC). At the soft threshold people see a warning; at the limit new turns are refused until the period resets, and a running turn is cut off between its steps.${
          data.defaults.userMonthlyUsd !== null ? ` Everyone without a budget of their own has ${usd(data.defaults.userMonthlyUsd)} a month (BUDGET_USER_MONTHLY_USD).` : ""
        }`}
      />
      <form onSubmit={save} className="mb-6 flex flex-wrap items-end gap-3 rounded-lg border border-neutral-200 p-4 dark:border-neutral-800" aria-label="Set a budget">
        <label className="flex flex-col gap-1 text-xs font-medium">
          Applies to
          <select className={selectClass} value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value as Scope, subject: "" })} disabled={!hydrated}>
            <option value="user">Person</option>
            <option value="team">Team</option>
            <option value="org">Whole organization</option>
          </select>
        </label>
        {form.scope === "team" && (
          <label className="flex flex-col gap-1 text-xs font-medium">
            Team
            <select className={selectClass} value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} disabled={!hydrated} required>
              <option value="">Choose a team</option>
              {data.teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {form.scope === "user" && (
          <label className="flex flex-col gap-1 text-xs font-medium">
            Person
            <select className={selectClass} value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} disabled={!hydrated} required>
              <option value="">Choose a person</option>
              {data.people.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({u.email})
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="flex flex-col gap-1 text-xs font-medium">
          Limit (USD)
          <input className={inputClass} inputMode="decimal" value={form.limitUsd} onChange={(e) => setForm({ ...form, limitUsd: e.target.value })} aria-invalid={Boolean(limitError)} aria-describedby={limitError ? "budget-limit-error" : undefined} disabled={!hydrated} />
          {limitError && (
            <span id="budget-limit-error" className="text-xs text-red-700 dark:text-red-400">
              {limitError}
            </span>
          )}
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Period
          <select className={selectClass} value={form.period} onChange={(e) => setForm({ ...form, period: e.target.value as Period })} disabled={!hydrated}>
            <option value="month">Monthly</option>
            <option value="week">Weekly</option>
            <option value="day">Daily</option>
          </select>
          {periodError && <span className="text-xs text-red-700">{periodError}</span>}
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Warn at (%)
          <input className={`${inputClass} w-20`} inputMode="numeric" value={form.softPercent} onChange={(e) => setForm({ ...form, softPercent: e.target.value })} aria-invalid={Boolean(softError)} disabled={!hydrated} />
          {softError && <span className="text-xs text-red-700 dark:text-red-400">{softError}</span>}
        </label>
        <button type="submit" className={buttonClass.primary} disabled={!hydrated || busy}>
          {busy && <Spinner />}
          Save budget
        </button>
        {saved && (
          <span role="status" className="text-sm text-green-700 dark:text-green-400">
            {saved}
          </span>
        )}
        {general && (
          <span role="alert" className="text-sm text-red-700 dark:text-red-400">
            {general}
          </span>
        )}
      </form>
      {data.budgets.length === 0 ? (
        <EmptyState title="No budgets yet">Set one above; until then only the default per-person budget (if configured) applies.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-neutral-200 dark:border-neutral-800">
          <table className="w-full min-w-[40rem] text-left text-sm" aria-label="Budgets">
            <thead className="border-b border-neutral-200 bg-neutral-50 text-xs text-neutral-500 uppercase dark:border-neutral-800 dark:bg-neutral-900">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Applies to
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Period
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Limit
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Spent this period
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Resets
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800" data-testid="budget-rows">
              {data.budgets.map((b) => (
                <tr key={b.id}>
                  <td className="px-3 py-2">{b.subjectName ?? `(removed ${b.scope})`}</td>
                  <td className="px-3 py-2">{PERIOD[b.period]}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{usd(b.limitUsd)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    {usd(b.spentUsd)} ({Math.round((b.spentUsd / b.limitUsd) * 100)}%)
                  </td>
                  <td className="px-3 py-2">{day(b.resetsAt)}</td>
                  <td className="px-3 py-2 text-right">
                    <button type="button" className={buttonClass.ghost} onClick={() => void remove(b.scope, b.subjectId)} aria-label={`Remove the budget of ${b.subjectName ?? b.subjectId}`} disabled={!hydrated}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
