import { z } from "zod";
import { checkedId, requirePermission, type UseCaseContext } from "@/lib/admin/common";
import { env } from "@/lib/config/env";
import { db, type BudgetRecord, type BudgetScope } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { plainText } from "@/lib/http/text";
import type { Principal } from "@/lib/principal";
import { forgetBudgets } from "./budgets";
import { periodEnd, periodStart } from "./periods";

/**
 * The admin console's budgets (budget.manage): one per person, team or the org, per day, week or
 * month. Each change and its audit event (budget.set from→to, budget.removed) commit together.
 * Checks read the budgets per turn, so a change applies to the next turn everywhere.
 */
export const BudgetScopeSchema = z.enum(["org", "team", "user"]);

const Usd = z
  .number({ error: "must be a number of US dollars" })
  .refine((n) => Number.isFinite(n), "must be a finite number")
  .refine((n) => n > 0, "must be more than 0 (remove the budget for no limit)")
  .refine((n) => n <= 1_000_000_000, "must be at most 1000000000");

export const BudgetBody = z
  .object({
    limitUsd: Usd,
    period: z.enum(["day", "week", "month"], { error: "must be day, week or month" }).default("month"),
    softPercent: z.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(100, "must be at most 100").optional(),
  })
  .strict();
export type BudgetBody = z.infer<typeof BudgetBody>;

export interface BudgetListItem extends BudgetRecord {
  subjectName: string | null;
  spentUsd: number;
  resetsAt: string;
}

export interface BudgetsOverview {
  budgets: BudgetListItem[];
  defaults: { userMonthlyUsd: number | null; softPercent: number };
  teams: Array<{ id: string; name: string }>;
  people: Array<{ id: string; name: string; email: string }>;
  orgId: string;
}

export async function getBudgetsOverview(p: Principal): Promise<BudgetsOverview> {
  requirePermission(p, "budget.manage");
  const repo = db.for(p).usage;
  const [budgets, teams, people] = await Promise.all([repo.listBudgets(), repo.teamsIn({ kind: "org" }), repo.peopleIn({ kind: "org" })]);
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const person = new Map(people.map((u) => [u.id, `${u.name} <${u.email}>`]));
  const e = env();
  return {
    budgets: await Promise.all(
      budgets.map(async (b) => ({
        ...b,
        subjectName: b.scope === "org" ? "Whole organization" : b.scope === "team" ? (teamName.get(b.subjectId) ?? null) : (person.get(b.subjectId) ?? null),
        spentUsd: await repo.spendSince(b, periodStart(b.period)),
        resetsAt: periodEnd(b.period).toISOString(),
      })),
    ),
    defaults: { userMonthlyUsd: e.BUDGET_USER_MONTHLY_USD ?? null, softPercent: e.BUDGET_SOFT_PERCENT },
    teams,
    people: people.map(({ id, name, email }) => ({ id, name, email })),
    orgId: p.orgId,
  };
}

const Email = plainText().trim().toLowerCase().max(254).email();

/** The subject in this org, or 404 (unknown scope, malformed id, another org's). "org" takes its id or "org". */
async function subjectOf(p: Principal, scope: unknown, subject: unknown): Promise<{ scope: BudgetScope; subjectId: string }> {
  const s = BudgetScopeSchema.safeParse(scope);
  if (!s.success) throw AppError.notFound("Budget subject");
  const repo = db.for(p).usage;
  if (s.data === "org") {
    if (subject !== "org" && subject !== p.orgId) throw AppError.notFound("Organization");
    return { scope: "org", subjectId: p.orgId };
  }
  if (s.data === "user") {
    const asEmail = Email.safeParse(subject);
    const id = await repo.findUserId(asEmail.success ? asEmail.data : checkedId(subject, "User"));
    if (!id) throw AppError.notFound("User");
    return { scope: "user", subjectId: id };
  }
  const subjectId = checkedId(subject, "Team");
  if (!(await repo.subjectExists("team", subjectId))) throw AppError.notFound("Team");
  return { scope: "team", subjectId };
}

/** PUT /api/admin/budgets/{scope}/{subject}: creates or replaces that subject's budget. */
export async function setBudget(p: Principal, input: { scope: string; subject: string; body: BudgetBody }, ctx: UseCaseContext = {}): Promise<BudgetRecord> {
  requirePermission(p, "budget.manage");
  const { scope, subjectId } = await subjectOf(p, input.scope, input.subject);
  const row = await db.for(p).usage.setBudget(
    scope,
    subjectId,
    { limitUsd: input.body.limitUsd, period: input.body.period, softPercent: input.body.softPercent ?? env().BUDGET_SOFT_PERCENT },
    { requestId: ctx.requestId },
  );
  forgetBudgets(p.orgId);
  return row;
}

/** DELETE /api/admin/budgets/{scope}/{subject}: no budget for that subject any more (none: nothing to do). */
export async function removeBudget(p: Principal, input: { scope: string; subject: string }, ctx: UseCaseContext = {}): Promise<{ removed: boolean }> {
  requirePermission(p, "budget.manage");
  const { scope, subjectId } = await subjectOf(p, input.scope, input.subject);
  const removed = await db.for(p).usage.removeBudget(scope, subjectId, { requestId: ctx.requestId });
  forgetBudgets(p.orgId);
  return { removed };
}
