import { db, type UsageFilters, type UsageGroup, type UsageScope, type UsageTotals } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { budgetStatusOf, describeBudget } from "./budgets";
import { periodEnd, periodStart } from "./periods";
import { dayString, parseUsageQuery } from "./query";
import { usageScopeFor } from "./scope";

/**
 * What the usage dashboards show, read from the daily aggregates only (fast over a year):
 * /settings/usage (the person's own: by day and by model, against their budgets) and
 * /admin/usage (the org or the managed teams: by day, person, model, agent; top people; budget
 * status; the share of calls priced at the default). A filter naming a team or person outside
 * the viewer's scope answers 404, as if they did not exist.
 */
export interface DayPoint extends UsageTotals {
  day: string;
}

export interface BudgetStatusDto {
  key: string;
  scope: "org" | "team" | "user";
  subjectId: string;
  subjectName: string | null;
  label: string;
  period: "day" | "week" | "month";
  limitUsd: number;
  spentUsd: number;
  percent: number;
  softPercent: number;
  resetsAt: string;
  fromDefault: boolean;
}

export interface MyUsage {
  range: { from: string; to: string };
  totals: UsageTotals;
  byDay: DayPoint[];
  byModel: UsageGroup[];
  budgets: BudgetStatusDto[];
}

export interface PersonUsage extends UsageGroup {
  name: string;
  email: string | null;
}

export interface OrgUsage {
  scope: "org" | "teams";
  range: { from: string; to: string };
  filters: { team?: string; user?: string; model?: string };
  totals: UsageTotals;
  /** Share of calls priced at MODEL_PRICE_DEFAULT (0..1), and of the cost. */
  defaultPricedShare: { calls: number; cost: number };
  byDay: DayPoint[];
  byUser: PersonUsage[];
  byModel: UsageGroup[];
  byAgent: UsageGroup[];
  topUsers: PersonUsage[];
  budgets: BudgetStatusDto[];
  options: { teams: Array<{ id: string; name: string }>; people: Array<{ id: string; name: string; email: string }>; models: string[] };
}

/** Every day of the range, zero where nothing was used, so a chart shows the gaps. */
function fillDays(groups: UsageGroup[], f: UsageFilters): DayPoint[] {
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const out: DayPoint[] = [];
  for (let t = f.from.getTime(); t <= f.to.getTime(); t += 86_400_000) {
    const day = dayString(new Date(t));
    const g = byKey.get(day);
    out.push({ day, calls: 0, cachedCalls: 0, defaultPricedCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, defaultPricedCostUsd: 0, ...(g ? { ...g } : {}) });
  }
  return out.map(({ key: _key, ...rest }: DayPoint & { key?: string }) => rest);
}

const statusDto = (s: Awaited<ReturnType<typeof budgetStatusOf>>[number], subjectName: string | null): BudgetStatusDto => ({
  key: s.key,
  scope: s.scope,
  subjectId: s.subjectId,
  subjectName,
  label: describeBudget(s),
  period: s.period,
  limitUsd: s.limitUsd,
  spentUsd: s.spentUsd,
  percent: s.percent,
  softPercent: s.softPercent,
  resetsAt: s.resetsAt.toISOString(),
  fromDefault: s.fromDefault,
});

export async function getMyUsage(p: Principal, search: URLSearchParams | Record<string, string | string[] | undefined>): Promise<MyUsage> {
  const { filters } = parseUsageQuery(search);
  const f: UsageFilters = { from: filters.from, to: filters.to, ...(filters.model ? { model: filters.model } : {}) };
  const repo = db.for(p).usage;
  const self: UsageScope = { kind: "self" };
  const [totals, byDay, byModel, budgets] = await Promise.all([repo.totals(self, f), repo.byDay(self, f), repo.byModel(self, f), budgetStatusOf(p)]);
  return {
    range: { from: dayString(f.from), to: dayString(f.to) },
    totals,
    byDay: fillDays(byDay, f),
    byModel: byModel.sort((a, b) => b.costUsd - a.costUsd),
    budgets: budgets.map((s) => statusDto(s, null)),
  };
}

/** The viewer's scope, or 404 (a member; a manager of no team). */
export function requireUsageScope(p: Principal): Exclude<UsageScope, { kind: "self" }> {
  const scope = usageScopeFor(p);
  if (!scope) throw AppError.notFound("Page");
  return scope;
}

async function checkedFilters(p: Principal, scope: Exclude<UsageScope, { kind: "self" }>, f: UsageFilters): Promise<void> {
  const repo = db.for(p).usage;
  if (f.teamId !== undefined && scope.kind === "teams" && !scope.teamIds.includes(f.teamId)) throw AppError.notFound("Team");
  if (f.teamId !== undefined && scope.kind === "org" && !(await repo.subjectExists("team", f.teamId))) throw AppError.notFound("Team");
  if (f.userId !== undefined && !(await repo.userInScope(scope, f.userId))) throw AppError.notFound("User");
}

export async function getOrgUsage(p: Principal, search: URLSearchParams | Record<string, string | string[] | undefined>): Promise<OrgUsage> {
  const scope = requireUsageScope(p);
  const { query, filters: f } = parseUsageQuery(search);
  await checkedFilters(p, scope, f);
  const repo = db.for(p).usage;
  const unfiltered: UsageFilters = { from: f.from, to: f.to };
  const [totals, byDay, byUser, byModel, byAgent, teams, people, models] = await Promise.all([
    repo.totals(scope, f),
    repo.byDay(scope, f),
    repo.byUser(scope, f),
    repo.byModel(scope, f),
    repo.byAgent(scope, f),
    repo.teamsIn(scope),
    repo.peopleIn(scope),
    repo.byModel(scope, unfiltered),
  ]);
  const names = await repo.namesOf(byUser.map((u) => u.key));
  const withNames: PersonUsage[] = byUser.map((u) => {
    const n = names.get(u.key);
    return { ...u, name: n?.name ?? "(removed user)", email: n?.email ?? null };
  });
  const budgets = await orgBudgetStatus(p, scope, people, teams);
  return {
    scope: scope.kind,
    range: { from: dayString(f.from), to: dayString(f.to) },
    filters: { ...(query.team ? { team: query.team } : {}), ...(query.user ? { user: query.user } : {}), ...(query.model ? { model: query.model } : {}) },
    totals,
    defaultPricedShare: {
      calls: totals.calls > 0 ? totals.defaultPricedCalls / totals.calls : 0,
      cost: totals.costUsd > 0 ? totals.defaultPricedCostUsd / totals.costUsd : 0,
    },
    byDay: fillDays(byDay, f),
    byUser: [...withNames].sort((a, b) => a.name.localeCompare(b.name)),
    byModel: byModel.sort((a, b) => b.costUsd - a.costUsd),
    byAgent: byAgent.sort((a, b) => b.costUsd - a.costUsd),
    topUsers: [...withNames].sort((a, b) => b.costUsd - a.costUsd).slice(0, 10),
    budgets,
    options: { teams, people: people.map(({ id, name, email }) => ({ id, name, email })), models: models.map((m) => m.key).sort() },
  };
}

/** The stored budgets within the viewer's scope, with their spend this period (org budgets for the org view only). */
async function orgBudgetStatus(
  p: Principal,
  scope: Exclude<UsageScope, { kind: "self" }>,
  people: Array<{ id: string; name: string; email: string; teamId: string | null }>,
  teams: Array<{ id: string; name: string }>,
): Promise<BudgetStatusDto[]> {
  const repo = db.for(p).usage;
  const all = await repo.listBudgets();
  const peopleById = new Map(people.map((u) => [u.id, u]));
  const teamById = new Map(teams.map((t) => [t.id, t]));
  const visible = all.filter((b) => (b.scope === "org" ? scope.kind === "org" : b.scope === "team" ? teamById.has(b.subjectId) : peopleById.has(b.subjectId)));
  return Promise.all(
    visible.map(async (b) => {
      const start = periodStart(b.period);
      const spentUsd = await repo.spendSince({ scope: b.scope, subjectId: b.subjectId }, start);
      const subjectName = b.scope === "org" ? "Whole organization" : b.scope === "team" ? (teamById.get(b.subjectId)?.name ?? null) : (peopleById.get(b.subjectId)?.name ?? null);
      return {
        key: `${b.scope}:${b.subjectId}`,
        scope: b.scope,
        subjectId: b.subjectId,
        subjectName,
        label: describeBudget(b).replace(/^your (team's |organization's )?/, ""),
        period: b.period,
        limitUsd: b.limitUsd,
        spentUsd,
        percent: b.limitUsd > 0 ? (spentUsd / b.limitUsd) * 100 : 100,
        softPercent: b.softPercent,
        resetsAt: periodEnd(b.period).toISOString(),
        fromDefault: false,
      };
    }),
  );
}

const CSV_COLUMNS = ["day", "user_id", "user_name", "user_email", "team_id", "team_name", "model", "agent", "calls", "cached_calls", "default_priced_calls", "input_tokens", "output_tokens", "cost_usd", "default_priced_cost_usd"] as const;

/** One CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet does not run it. */
function csvField(v: string | number | null): string {
  if (v === null) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** GET /api/admin/usage/export.csv: the daily rows behind the view, same scope and filters. */
export async function exportUsageCsv(p: Principal, search: URLSearchParams): Promise<{ filename: string; body: string }> {
  const scope = requireUsageScope(p);
  const { filters: f } = parseUsageQuery(search);
  await checkedFilters(p, scope, f);
  const rows = await db.for(p).usage.exportDaily(scope, f);
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of rows) {
    lines.push(
      [r.day, r.userId, r.userName, r.userEmail, r.teamId, r.teamName, r.model, r.agent, r.calls, r.cachedCalls, r.defaultPricedCalls, r.inputTokens, r.outputTokens, r.costUsd.toFixed(6), r.defaultPricedCostUsd.toFixed(6)]
        .map(csvField)
        .join(","),
    );
  }
  return { filename: `usage-${dayString(f.from)}-to-${dayString(f.to)}.csv`, body: lines.join("\r\n") + "\r\n" };
}
