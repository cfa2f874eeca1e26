import type { BudgetPeriod } from "@/lib/db";

/**
 * Budget periods are calendar periods in UTC: a day from midnight, a week from Monday, a month
 * from the 1st. Every period is whole UTC days, so spend is summed from the daily aggregates.
 */
export function periodStart(period: BudgetPeriod, now = new Date()): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (period === "month") return new Date(Date.UTC(y, m, 1));
  if (period === "week") {
    const sinceMonday = (now.getUTCDay() + 6) % 7;
    return new Date(Date.UTC(y, m, d - sinceMonday));
  }
  return new Date(Date.UTC(y, m, d));
}

/** When the period that contains `now` ends (and the budget resets). */
export function periodEnd(period: BudgetPeriod, now = new Date()): Date {
  const s = periodStart(period, now);
  if (period === "month") return new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1));
  return new Date(s.getTime() + (period === "week" ? 7 : 1) * 86_400_000);
}

export const PERIOD_ADJECTIVE: Record<BudgetPeriod, string> = { day: "daily", week: "weekly", month: "monthly" };

const RESET_DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", timeZone: "UTC" });
const RESET_WEEKDAY = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });

/** "on 1 January", "on Monday 7 December", "at midnight UTC" (a daily budget). */
export function resetPhrase(period: BudgetPeriod, resetsAt: Date): string {
  if (period === "day") return "at midnight UTC";
  return `on ${(period === "week" ? RESET_WEEKDAY : RESET_DATE).format(resetsAt)}`;
}

export function formatUsd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
