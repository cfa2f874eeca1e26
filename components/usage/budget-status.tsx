import { day, usd } from "./format";

export interface BudgetStatusView {
  key: string;
  label: string;
  subjectName: string | null;
  limitUsd: number;
  spentUsd: number;
  percent: number;
  softPercent: number;
  resetsAt: string;
  fromDefault: boolean;
}

/** Each budget's spend this period against its limit: a native <progress> with the figures in words. */
export function BudgetStatusList({ budgets, emptyText }: { budgets: readonly BudgetStatusView[]; emptyText: string }) {
  if (budgets.length === 0) return <p className="text-sm text-neutral-600 dark:text-neutral-400">{emptyText}</p>;
  return (
    <ul className="flex flex-col gap-3" data-testid="budget-status">
      {budgets.map((b) => {
        const state = b.percent >= 100 ? "Used up" : b.percent >= b.softPercent ? "Near its limit" : "Within budget";
        return (
          <li key={b.key} className="text-sm">
            <div className="flex flex-wrap justify-between gap-2">
              <span className="font-medium">
                {b.subjectName ? `${b.subjectName}: ` : ""}
                {b.label}
                {b.fromDefault ? " (default)" : ""}
              </span>
              <span className={b.percent >= 100 ? "text-red-700 dark:text-red-400" : b.percent >= b.softPercent ? "text-amber-700 dark:text-amber-400" : ""}>
                {state}: {usd(b.spentUsd)} of {usd(b.limitUsd)} ({Math.round(b.percent)}%), resets {day(b.resetsAt)}
              </span>
            </div>
            <progress className="mt-1 h-2 w-full" max={100} value={Math.min(100, b.percent)} aria-label={`${b.label}: ${Math.round(b.percent)}% used`} />
          </li>
        );
      })}
    </ul>
  );
}
