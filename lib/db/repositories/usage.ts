import type { Principal } from "@/lib/principal";
import { Prisma } from "../generated/client";
import { actorOf, writeAudit } from "../audit";
import { getPrisma } from "../database";

/**
 * Usage and budgets (lib/usage). Raw model-call rows and their daily aggregates are written by
 * the metering writer, which acts for no one principal (unsafeWriteUsageBatch, one statement per
 * batch, idempotent by row id). Everything read goes through usageRepository(principal): every
 * query carries the principal's org, and the dashboard queries also the scope lib/usage decided
 * from lib/authz (the person alone, the teams they manage, or the whole org), so a person outside
 * it is simply not found.
 */
export interface UsageRowInput {
  /** Minted when the call was seen: a batch written twice counts each call once. */
  id: string;
  orgId: string;
  userId: string;
  /** The person's team when the call was made; "" = their team when the row is written (or none). */
  teamId: string;
  conversationId: string | null;
  requestId: string;
  agent: string;
  deploymentId: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cached: boolean;
  costUsd: number;
  defaultPriced: boolean;
  at: Date;
}

/** Inserts the rows not already stored and folds exactly those into UsageDaily, in one statement. */
export async function unsafeWriteUsageBatch(rows: readonly UsageRowInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const prisma = await getPrisma();
  const json = JSON.stringify(rows.map((r) => ({ ...r, costUsd: r.costUsd.toFixed(10), at: r.at.toISOString() })));
  return prisma.$executeRawUnsafe(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
         "id" text, "orgId" text, "userId" text, "teamId" text, "conversationId" text, "requestId" text, "agent" text,
         "deploymentId" text, "provider" text, "model" text, "inputTokens" int, "outputTokens" int, "cached" boolean,
         "costUsd" numeric, "defaultPriced" boolean, "at" timestamptz)
     ), ins AS (
       INSERT INTO "UsageRecord" ("id", "orgId", "userId", "teamId", "conversationId", "requestId", "agent", "deploymentId",
         "provider", "model", "inputTokens", "outputTokens", "cached", "costUsd", "defaultPriced", "at")
       SELECT x."id", x."orgId", x."userId", coalesce(nullif(x."teamId", ''), u."teamId", ''), x."conversationId", x."requestId",
         x."agent", x."deploymentId", x."provider", x."model", x."inputTokens", x."outputTokens", x."cached", x."costUsd",
         x."defaultPriced", (x."at" AT TIME ZONE 'UTC')
       FROM input x
       LEFT JOIN "User" u ON u."id" = x."userId" AND u."orgId" = x."orgId"
       ON CONFLICT ("id") DO NOTHING
       RETURNING "orgId", "userId", "teamId", "model", "agent", "at", "cached", "defaultPriced", "inputTokens", "outputTokens", "costUsd"
     )
     INSERT INTO "UsageDaily" ("orgId", "day", "userId", "teamId", "model", "agent", "calls", "cachedCalls", "defaultPricedCalls",
       "inputTokens", "outputTokens", "costUsd", "defaultPricedCostUsd")
     SELECT "orgId", "at"::date, "userId", "teamId", "model", "agent", count(*)::int,
       count(*) FILTER (WHERE "cached")::int, count(*) FILTER (WHERE "defaultPriced")::int,
       sum("inputTokens")::bigint, sum("outputTokens")::bigint, sum("costUsd"),
       coalesce(sum("costUsd") FILTER (WHERE "defaultPriced"), 0)
     FROM ins
     GROUP BY "orgId", "at"::date, "userId", "teamId", "model", "agent"
     ON CONFLICT ("orgId", "day", "userId", "teamId", "model", "agent") DO UPDATE SET
       "calls" = "UsageDaily"."calls" + EXCLUDED."calls",
       "cachedCalls" = "UsageDaily"."cachedCalls" + EXCLUDED."cachedCalls",
       "defaultPricedCalls" = "UsageDaily"."defaultPricedCalls" + EXCLUDED."defaultPricedCalls",
       "inputTokens" = "UsageDaily"."inputTokens" + EXCLUDED."inputTokens",
       "outputTokens" = "UsageDaily"."outputTokens" + EXCLUDED."outputTokens",
       "costUsd" = "UsageDaily"."costUsd" + EXCLUDED."costUsd",
       "defaultPricedCostUsd" = "UsageDaily"."defaultPricedCostUsd" + EXCLUDED."defaultPricedCostUsd"`,
    json,
  );
}

/** Whose usage a query may see: decided by lib/usage from lib/authz, applied here in WHERE. */
export type UsageScope = { kind: "self" } | { kind: "teams"; teamIds: readonly string[] } | { kind: "org" };

export interface UsageFilters {
  /** Inclusive UTC days. */
  from: Date;
  to: Date;
  teamId?: string;
  userId?: string;
  model?: string;
}

export interface UsageTotals {
  calls: number;
  cachedCalls: number;
  defaultPricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  defaultPricedCostUsd: number;
}

export interface UsageGroup extends UsageTotals {
  key: string;
}

export interface UsageDailyExportRow extends UsageTotals {
  day: string;
  userId: string;
  userName: string | null;
  userEmail: string | null;
  teamId: string;
  teamName: string | null;
  model: string;
  agent: string;
}

export type BudgetScope = "org" | "team" | "user";
export type BudgetPeriod = "day" | "week" | "month";

export interface BudgetRecord {
  id: string;
  scope: BudgetScope;
  subjectId: string;
  period: BudgetPeriod;
  limitUsd: number;
  softPercent: number;
  updatedById: string | null;
  updatedAt: Date;
}

export interface BudgetValues {
  period: BudgetPeriod;
  limitUsd: number;
  softPercent: number;
}

const TOTALS = Prisma.sql`
  coalesce(sum("calls"), 0)::float8 AS "calls",
  coalesce(sum("cachedCalls"), 0)::float8 AS "cachedCalls",
  coalesce(sum("defaultPricedCalls"), 0)::float8 AS "defaultPricedCalls",
  coalesce(sum("inputTokens"), 0)::float8 AS "inputTokens",
  coalesce(sum("outputTokens"), 0)::float8 AS "outputTokens",
  coalesce(sum("costUsd"), 0)::float8 AS "costUsd",
  coalesce(sum("defaultPricedCostUsd"), 0)::float8 AS "defaultPricedCostUsd"`;

const dayOnly = (d: Date) => d.toISOString().slice(0, 10);

const budgetSelect = { id: true, scope: true, subjectId: true, period: true, limitUsd: true, softPercent: true, updatedById: true, updatedAt: true } as const;

type BudgetRow = { id: string; scope: string; subjectId: string; period: string; limitUsd: Prisma.Decimal; softPercent: number; updatedById: string | null; updatedAt: Date };

const toBudget = (r: BudgetRow): BudgetRecord => ({
  ...r,
  scope: r.scope as BudgetScope,
  period: r.period as BudgetPeriod,
  limitUsd: Number(r.limitUsd),
});

const budgetValues = (b: BudgetValues | BudgetRecord) => ({ period: b.period, limitUsd: b.limitUsd, softPercent: b.softPercent });

export function usageRepository(p: Principal) {
  const orgId = p.orgId;

  /** The WHERE of every dashboard query: the org, the scope, the filters. */
  function where(scope: UsageScope, f: UsageFilters): Prisma.Sql {
    const parts: Prisma.Sql[] = [Prisma.sql`"orgId" = ${orgId}`, Prisma.sql`"day" >= ${dayOnly(f.from)}::date`, Prisma.sql`"day" <= ${dayOnly(f.to)}::date`];
    if (scope.kind === "self") parts.push(Prisma.sql`"userId" = ${p.userId}`);
    if (scope.kind === "teams") parts.push(scope.teamIds.length ? Prisma.sql`"teamId" IN (${Prisma.join([...scope.teamIds])})` : Prisma.sql`FALSE`);
    if (f.teamId !== undefined) parts.push(Prisma.sql`"teamId" = ${f.teamId}`);
    if (f.userId !== undefined) parts.push(Prisma.sql`"userId" = ${f.userId}`);
    if (f.model !== undefined) parts.push(Prisma.sql`"model" = ${f.model}`);
    return Prisma.join(parts, " AND ");
  }

  async function grouped(scope: UsageScope, f: UsageFilters, column: "day" | "userId" | "model" | "agent" | "teamId"): Promise<UsageGroup[]> {
    const prisma = await getPrisma();
    const key = column === "day" ? Prisma.sql`to_char("day", 'YYYY-MM-DD')` : Prisma.raw(`"${column}"`);
    return prisma.$queryRaw<UsageGroup[]>`SELECT ${key} AS "key", ${TOTALS} FROM "UsageDaily" WHERE ${where(scope, f)} GROUP BY 1 ORDER BY 1`;
  }

  return {
    async totals(scope: UsageScope, f: UsageFilters): Promise<UsageTotals> {
      const prisma = await getPrisma();
      const [row] = await prisma.$queryRaw<UsageTotals[]>`SELECT ${TOTALS} FROM "UsageDaily" WHERE ${where(scope, f)}`;
      return row!;
    },

    byDay: (scope: UsageScope, f: UsageFilters) => grouped(scope, f, "day"),
    byUser: (scope: UsageScope, f: UsageFilters) => grouped(scope, f, "userId"),
    byModel: (scope: UsageScope, f: UsageFilters) => grouped(scope, f, "model"),
    byAgent: (scope: UsageScope, f: UsageFilters) => grouped(scope, f, "agent"),
    byTeam: (scope: UsageScope, f: UsageFilters) => grouped(scope, f, "teamId"),

    /** The daily rows behind the dashboard, with names, for the CSV export (at most `limit`). */
    async exportDaily(scope: UsageScope, f: UsageFilters, limit = 100_000): Promise<UsageDailyExportRow[]> {
      const prisma = await getPrisma();
      return prisma.$queryRaw<UsageDailyExportRow[]>`
        SELECT to_char(d."day", 'YYYY-MM-DD') AS "day", d."userId", u."name" AS "userName", u."email" AS "userEmail",
          d."teamId", t."name" AS "teamName", d."model", d."agent",
          d."calls"::float8 AS "calls", d."cachedCalls"::float8 AS "cachedCalls", d."defaultPricedCalls"::float8 AS "defaultPricedCalls",
          d."inputTokens"::float8 AS "inputTokens", d."outputTokens"::float8 AS "outputTokens",
          d."costUsd"::float8 AS "costUsd", d."defaultPricedCostUsd"::float8 AS "defaultPricedCostUsd"
        FROM (SELECT * FROM "UsageDaily" WHERE ${where(scope, f)}) d
        LEFT JOIN "User" u ON u."id" = d."userId" AND u."orgId" = ${orgId}
        LEFT JOIN "Team" t ON t."id" = d."teamId" AND t."orgId" = ${orgId}
        ORDER BY d."day", u."email", d."model", d."agent"
        LIMIT ${limit}`;
    },

    /** The people of the org a scope covers (for names and the user filter): by their current team. */
    async peopleIn(scope: UsageScope): Promise<Array<{ id: string; name: string; email: string; teamId: string | null }>> {
      const prisma = await getPrisma();
      return prisma.user.findMany({
        where: {
          orgId,
          ...(scope.kind === "self" ? { id: p.userId } : scope.kind === "teams" ? { teamId: { in: [...scope.teamIds] } } : {}),
        },
        select: { id: true, name: true, email: true, teamId: true },
        orderBy: [{ name: "asc" }],
        take: 5_000,
      });
    },

    /** Names of users who appear in usage rows (they may have left their team, or the org). */
    async namesOf(userIds: readonly string[]): Promise<Map<string, { name: string; email: string }>> {
      if (userIds.length === 0) return new Map();
      const prisma = await getPrisma();
      const rows = await prisma.user.findMany({ where: { orgId, id: { in: [...userIds] } }, select: { id: true, name: true, email: true } });
      return new Map(rows.map((r) => [r.id, { name: r.name, email: r.email }]));
    },

    async teamsIn(scope: UsageScope): Promise<Array<{ id: string; name: string }>> {
      if (scope.kind === "self") return [];
      const prisma = await getPrisma();
      return prisma.team.findMany({
        where: { orgId, ...(scope.kind === "teams" ? { id: { in: [...scope.teamIds] } } : {}) },
        select: { id: true, name: true },
        orderBy: [{ name: "asc" }],
      });
    },

    /** Whether the user (of this org) falls inside the scope: by team at the time of a call or now. */
    async userInScope(scope: UsageScope, userId: string): Promise<boolean> {
      if (scope.kind === "self") return userId === p.userId;
      const prisma = await getPrisma();
      if (scope.kind === "org") return (await prisma.user.count({ where: { orgId, id: userId } })) > 0;
      return (await prisma.user.count({ where: { orgId, id: userId, teamId: { in: [...scope.teamIds] } } })) > 0;
    },

    /** Recorded spend (USD) in [since, until] UTC days: of one person, one team (by the team at the time) or the org. */
    async spendSince(subject: { scope: BudgetScope; subjectId: string }, since: Date): Promise<number> {
      const prisma = await getPrisma();
      const who =
        subject.scope === "user" ? Prisma.sql` AND "userId" = ${subject.subjectId}` : subject.scope === "team" ? Prisma.sql` AND "teamId" = ${subject.subjectId}` : Prisma.empty;
      const [row] = await prisma.$queryRaw<Array<{ cost: number }>>`
        SELECT coalesce(sum("costUsd"), 0)::float8 AS "cost" FROM "UsageDaily" WHERE "orgId" = ${orgId} AND "day" >= ${dayOnly(since)}::date${who}`;
      return row?.cost ?? 0;
    },

    // ─── Budgets ─────────────────────────────────────────────────────────────────────────────────

    async listBudgets(): Promise<BudgetRecord[]> {
      const prisma = await getPrisma();
      const rows = await prisma.budget.findMany({ where: { orgId }, select: budgetSelect, orderBy: [{ scope: "asc" }, { subjectId: "asc" }] });
      return rows.map(toBudget);
    },

    /** The budgets that bind this principal: their own, their team's, the org's. */
    async budgetsFor(subject: { userId: string; teamId: string | null }): Promise<BudgetRecord[]> {
      const prisma = await getPrisma();
      const rows = await prisma.budget.findMany({
        where: {
          orgId,
          OR: [
            { scope: "user", subjectId: subject.userId },
            ...(subject.teamId ? [{ scope: "team", subjectId: subject.teamId }] : []),
            { scope: "org", subjectId: orgId },
          ],
        },
        select: budgetSelect,
      });
      return rows.map(toBudget);
    },

    /** Whether a team or user of this org exists (another org's id answers false). */
    async subjectExists(scope: BudgetScope, subjectId: string): Promise<boolean> {
      const prisma = await getPrisma();
      if (scope === "org") return subjectId === orgId;
      if (scope === "team") return (await prisma.team.count({ where: { orgId, id: subjectId } })) > 0;
      return (await prisma.user.count({ where: { orgId, id: subjectId } })) > 0;
    },

    async findUserId(idOrEmail: string): Promise<string | null> {
      const prisma = await getPrisma();
      const where = idOrEmail.includes("@") ? { orgId, email: idOrEmail.toLowerCase() } : { orgId, id: idOrEmail };
      return (await prisma.user.findFirst({ where, select: { id: true } }))?.id ?? null;
    },

    /** Creates or replaces one subject's budget, with its budget.set audit event in the same transaction. */
    async setBudget(scope: BudgetScope, subjectId: string, next: BudgetValues, opts: { requestId?: string } = {}): Promise<BudgetRecord> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const key = { orgId_scope_subjectId: { orgId, scope, subjectId } };
        const before = await tx.budget.findUnique({ where: key, select: budgetSelect });
        const data = { period: next.period, limitUsd: new Prisma.Decimal(next.limitUsd.toFixed(10)), softPercent: next.softPercent, updatedById: p.userId };
        const row = toBudget(await tx.budget.upsert({ where: key, create: { orgId, scope, subjectId, ...data }, update: data, select: budgetSelect }));
        await writeAudit(tx, {
          ...actorOf(p, opts.requestId),
          action: "budget.set",
          target: { type: "budget", id: row.id },
          data: { scope, subjectId, from: before ? budgetValues(toBudget(before)) : null, to: budgetValues(row) },
        });
        return row;
      });
    },

    /** Removes one subject's budget (false: none), with its budget.removed audit event. */
    async removeBudget(scope: BudgetScope, subjectId: string, opts: { requestId?: string } = {}): Promise<boolean> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const before = await tx.budget.findFirst({ where: { orgId, scope, subjectId }, select: budgetSelect });
        if (!before) return false;
        await tx.budget.deleteMany({ where: { orgId, scope, subjectId } });
        await writeAudit(tx, {
          ...actorOf(p, opts.requestId),
          action: "budget.removed",
          target: { type: "budget", id: before.id },
          data: { scope, subjectId, from: budgetValues(toBudget(before)) },
        });
        return true;
      });
    },

    /**
     * Notes, once per budget and period, that its threshold was reached or it was exceeded, with the
     * audit event in the same transaction. True only for the call that wrote it.
     */
    async noteOnce(input: {
      budgetKey: string;
      periodStart: Date;
      kind: "threshold" | "exceeded";
      action: "budget.threshold_reached" | "budget.exceeded";
      data: Record<string, unknown>;
      requestId?: string;
    }): Promise<boolean> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const inserted = await tx.$executeRaw`
          INSERT INTO "BudgetNotice" ("orgId", "budgetKey", "periodStart", "kind")
          VALUES (${orgId}, ${input.budgetKey}, ${input.periodStart}, ${input.kind})
          ON CONFLICT DO NOTHING`;
        if (inserted === 0) return false;
        await writeAudit(tx, {
          ...actorOf(p, input.requestId),
          action: input.action,
          target: { type: "budget", id: input.budgetKey },
          data: { ...input.data, periodStart: input.periodStart.toISOString() },
        });
        return true;
      });
    },
  };
}
