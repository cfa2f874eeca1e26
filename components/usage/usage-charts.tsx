"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartCard } from "./chart-card";
import { count, day, usd } from "./format";

/** What the charts plot: the API's day points and groups (lib/usage/dashboard). */
export interface Totals {
  calls: number;
  cachedCalls: number;
  defaultPricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  defaultPricedCostUsd: number;
}
export interface DayPoint extends Totals {
  day: string;
}
export interface Group extends Totals {
  key: string;
  name?: string;
}

const COST = "#2563eb";
const DEFAULT_PRICED = "#d97706";
const INPUT = "#0891b2";
const OUTPUT = "#7c3aed";

function peak<T>(items: readonly T[], value: (t: T) => number): T | null {
  return items.reduce<T | null>((best, t) => (best === null || value(t) > value(best) ? t : best), null);
}

/** Spend per day (priced at the default stacked on top, so the flagged share is visible). */
export function SpendByDayChart({ points, title = "Spend by day" }: { points: readonly DayPoint[]; title?: string }) {
  const total = points.reduce((s, p) => s + p.costUsd, 0);
  const top = peak(points, (p) => p.costUsd);
  const summary =
    total > 0 && top
      ? `${usd(total)} over ${points.length} days, most on ${day(top.day)} (${usd(top.costUsd)}).`
      : `No spend between ${day(points[0]?.day ?? "")} and ${day(points.at(-1)?.day ?? "")}.`;
  const data = points.map((p) => ({ day: p.day.slice(5), priced: p.costUsd - p.defaultPricedCostUsd, atDefault: p.defaultPricedCostUsd }));
  return (
    <ChartCard
      title={title}
      summary={summary}
      testId="chart-spend-by-day"
      columns={[{ label: "Day" }, { label: "Spend", align: "right" }, { label: "At default price", align: "right" }, { label: "Calls", align: "right" }]}
      rows={points.map((p) => [day(p.day), usd(p.costUsd), usd(p.defaultPricedCostUsd), count(p.calls)])}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => usd(v)} width={64} />
          <Tooltip formatter={(v) => usd(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="priced" name="Priced" stackId="cost" fill={COST} isAnimationActive={false} />
          <Bar dataKey="atDefault" name="At default price" stackId="cost" fill={DEFAULT_PRICED} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Tokens per day, input and output. */
export function TokensByDayChart({ points }: { points: readonly DayPoint[] }) {
  const input = points.reduce((s, p) => s + p.inputTokens, 0);
  const output = points.reduce((s, p) => s + p.outputTokens, 0);
  return (
    <ChartCard
      title="Tokens by day"
      summary={`${count(input)} input and ${count(output)} output tokens over ${points.length} days.`}
      testId="chart-tokens-by-day"
      columns={[{ label: "Day" }, { label: "Input tokens", align: "right" }, { label: "Output tokens", align: "right" }]}
      rows={points.map((p) => [day(p.day), count(p.inputTokens), count(p.outputTokens)])}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points.map((p) => ({ day: p.day.slice(5), input: p.inputTokens, output: p.outputTokens }))} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => count(v)} width={64} />
          <Tooltip formatter={(v) => count(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="input" name="Input" stackId="t" fill={INPUT} isAnimationActive={false} />
          <Bar dataKey="output" name="Output" stackId="t" fill={OUTPUT} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Spend per model, person or agent step, largest first (horizontal bars). */
export function BreakdownChart({ title, groups, testId, what, column }: { title: string; groups: readonly Group[]; testId: string; what: string; column: string }) {
  const sorted = [...groups].sort((a, b) => b.costUsd - a.costUsd).slice(0, 15);
  const label = (g: Group) => g.name ?? g.key;
  const top = sorted[0];
  const summary = top ? `${sorted.length} ${what}; the most spent by ${label(top)}: ${usd(top.costUsd)} over ${count(top.calls)} calls.` : `No ${what} in this range.`;
  return (
    <ChartCard
      title={title}
      summary={summary}
      testId={testId}
      columns={[{ label: column }, { label: "Spend", align: "right" }, { label: "Calls", align: "right" }, { label: "At default price", align: "right" }, { label: "Tokens", align: "right" }]}
      rows={sorted.map((g) => [label(g), usd(g.costUsd), count(g.calls), count(g.defaultPricedCalls), count(g.inputTokens + g.outputTokens)])}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={sorted.map((g) => ({ name: label(g), cost: g.costUsd }))} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tick={{ fontSize: 11 }} tickFormatter={(v: number) => usd(v)} />
          <YAxis type="category" dataKey="name" tick={{ fontSize: 11 }} width={120} />
          <Tooltip formatter={(v) => usd(Number(v))} />
          <Bar dataKey="cost" name="Spend" fill={COST} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
