import { env } from "@/lib/config/env";
import { db, type BudgetPeriod, type BudgetRecord, type BudgetScope } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { CallGuard, CallGuardActual, CallGuardEstimate } from "@/lib/models/gateway";
import type { Principal } from "@/lib/principal";
import { costOf } from "./prices";
import { formatUsd, PERIOD_ADJECTIVE, periodEnd, periodStart, resetPhrase } from "./periods";
import { pendingUsageCost, usageBacklogState } from "./recorder";

/**
 * Budgets: spend limits per person, team and org over a calendar day, week or month (UTC), plus
 * BUDGET_USER_MONTHLY_USD for everyone without a budget of their own. Spend is what is recorded
 * (daily aggregates), plus what this process has seen but not yet written, plus what the model
 * calls running now in this process have reserved (their estimates).
 *
 * - checkBudget (the admit stage): a used-up budget refuses the turn: 429 budget_exceeded, Retry-After
 *   until the period resets, a message naming the budget, when it resets and who can raise it.
 * - budgetGuard (each model call of a running turn): refuses the next call once spend, counting
 *   every in-flight call's reservation, has reached the limit. A call is allowed while the limit
 *   is not yet reached, so a turn may pass it by at most the one call that crossed it; calls
 *   racing each other see each other's reservations, so concurrent turns on one instance overshoot
 *   by at most one call's estimate (reservations are per process: N instances, N calls).
 * - budgetWarningFor: past the soft threshold (BUDGET_SOFT_PERCENT, 80 by default, or the
 *   budget's own), the warning the chat shows; the audit event budget.threshold_reached is written
 *   once per budget and period.
 */
export interface BudgetWarning {
  percent: number;
  /** "your monthly budget of $20.00", as the chat banner says it. */
  budget: string;
  resetsAt: string;
}

export interface EffectiveBudget {
  /** scope:subjectId (the env's default user budget is keyed like the user's own). */
  key: string;
  scope: BudgetScope;
  subjectId: string;
  period: BudgetPeriod;
  limitUsd: number;
  softPercent: number;
  /** From BUDGET_USER_MONTHLY_USD rather than a stored budget. */
  fromDefault: boolean;
}

export interface BudgetStatus extends EffectiveBudget {
  spentUsd: number;
  percent: number;
  periodStart: Date;
  resetsAt: Date;
}

/** How long an org's budgets are cached per process: a change applies within this everywhere (at once where it was made). */
export const BUDGETS_TTL_MS = 5_000;
const budgetCache = ((globalThis as typeof globalThis & { __enclaveBudgetCache?: Map<string, { until: number; value: Promise<BudgetRecord[]> }> }).__enclaveBudgetCache ??= new Map());

function orgBudgets(p: Principal): Promise<BudgetRecord[]> {
  const hit = budgetCache.get(p.orgId);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = db.for(p).usage.listBudgets();
  budgetCache.set(p.orgId, { until: Date.now() + BUDGETS_TTL_MS, value });
  value.catch(() => budgetCache.delete(p.orgId));
  return value;
}

/** After a change on this instance: the org's next check reads its budgets afresh. */
export function forgetBudgets(orgId: string): void {
  budgetCache.delete(orgId);
}

/** The budgets that bind this person now: their own (or the default), their team's, the org's. */
export async function budgetsOf(p: Principal): Promise<EffectiveBudget[]> {
  const stored = (await orgBudgets(p)).filter(
    (b) => (b.scope === "user" && b.subjectId === p.userId) || (b.scope === "team" && b.subjectId === p.teamId) || (b.scope === "org" && b.subjectId === p.orgId),
  );
  const out: EffectiveBudget[] = stored.map((b) => ({ ...b, key: `${b.scope}:${b.subjectId}`, fromDefault: false }));
  const e = env();
  if (!out.some((b) => b.scope === "user") && e.BUDGET_USER_MONTHLY_USD !== undefined) {
    out.push({
      key: `user:${p.userId}`,
      scope: "user",
      subjectId: p.userId,
      period: "month",
      limitUsd: e.BUDGET_USER_MONTHLY_USD,
      softPercent: e.BUDGET_SOFT_PERCENT,
      fromDefault: true,
    });
  }
  return out;
}

// ─── In-flight reservations (this process) ──────────────────────────────────────────────────────

const holder = globalThis as typeof globalThis & { __enclaveBudgetReserved?: Map<string, number> };
const reserved = (holder.__enclaveBudgetReserved ??= new Map<string, number>());

const ledgerKey = (orgId: string, b: Pick<EffectiveBudget, "key">, start: Date) => `${orgId}|${b.key}|${start.getTime()}`;

function reserve(keys: readonly string[], usd: number): void {
  for (const k of keys) reserved.set(k, (reserved.get(k) ?? 0) + usd);
}

function unreserve(keys: readonly string[], usd: number): void {
  for (const k of keys) {
    const left = (reserved.get(k) ?? 0) - usd;
    if (left <= 1e-12) reserved.delete(k);
    else reserved.set(k, left);
  }
}

/** What a budget has spent this period as stored (add inFlightOn: seen but unwritten, and reserved). */
async function recordedOn(p: Principal, b: EffectiveBudget, now: Date): Promise<{ spentUsd: number; start: Date }> {
  const start = periodStart(b.period, now);
  return { spentUsd: await db.for(p).usage.spendSince({ scope: b.scope, subjectId: b.subjectId }, start), start };
}

/**
 * This process's share not yet stored: rows metering has queued, and the estimates of calls in
 * flight. Read synchronously, right before deciding, so racing calls see each other.
 */
function inFlightOn(p: Principal, b: EffectiveBudget, start: Date): number {
  const since = start.getTime();
  const pending = pendingUsageCost(
    (r) =>
      r.orgId === p.orgId &&
      r.at.getTime() >= since &&
      (b.scope === "org" || (b.scope === "user" ? r.userId === b.subjectId : r.teamId === b.subjectId || (r.teamId === "" && r.userId === p.userId))),
  );
  return pending + (reserved.get(ledgerKey(p.orgId, b, start)) ?? 0);
}

export async function budgetStatusOf(p: Principal, now = new Date()): Promise<BudgetStatus[]> {
  const budgets = await budgetsOf(p);
  return Promise.all(
    budgets.map(async (b) => {
      const r = await recordedOn(p, b, now);
      const spentUsd = r.spentUsd + inFlightOn(p, b, r.start);
      const start = r.start;
      return { ...b, spentUsd, percent: b.limitUsd > 0 ? (spentUsd / b.limitUsd) * 100 : 100, periodStart: start, resetsAt: periodEnd(b.period, now) };
    }),
  );
}

function whose(b: EffectiveBudget): string {
  return b.scope === "user" ? "your" : b.scope === "team" ? "your team's" : "your organization's";
}

/** "your monthly budget of $20.00" */
export function describeBudget(b: Pick<EffectiveBudget, "scope" | "period" | "limitUsd">): string {
  return `${whose(b as EffectiveBudget)} ${PERIOD_ADJECTIVE[b.period]} budget of ${formatUsd(b.limitUsd)}`;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The 429 of a used-up budget: which, when it resets, who can raise it; Retry-After = seconds to the reset. */
export function budgetExceededError(s: BudgetStatus, now = new Date()): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((s.resetsAt.getTime() - now.getTime()) / 1000));
  const message =
    `${capitalized(describeBudget(s))} is used up (${formatUsd(s.spentUsd)} spent). ` +
    `It resets ${resetPhrase(s.period, s.resetsAt)}. An admin can raise it in Admin → Budgets.`;
  return new AppError("budget_exceeded", message, {
    reason: "budget_exceeded",
    retryAfterSeconds,
    details: {
      limit: "budget",
      scope: s.scope,
      period: s.period,
      limitUsd: s.limitUsd,
      spentUsd: Math.round(s.spentUsd * 1e6) / 1e6,
      resetsAt: s.resetsAt.toISOString(),
      retryAfterSeconds,
    },
  });
}

async function noteExceeded(p: Principal, s: BudgetStatus, requestId?: string): Promise<void> {
  await db
    .for(p)
    .usage.noteOnce({
      budgetKey: s.key,
      periodStart: s.periodStart,
      kind: "exceeded",
      action: "budget.exceeded",
      data: { scope: s.scope, subjectId: s.subjectId, period: s.period, limitUsd: s.limitUsd, spentUsd: s.spentUsd, fromDefault: s.fromDefault },
      requestId,
    })
    .catch(() => false); // the refusal stands even if its once-per-period record could not be written now
}

/**
 * The admit stage's check: throws 503 while the usage writer is behind (nothing is dropped; new
 * turns wait), and 429 budget_exceeded when a budget of this person is used up. Cheap: the
 * org's budgets cached for BUDGETS_TTL_MS, then one query per budget that applies over the daily aggregates.
 */
export async function checkBudget(p: Principal, opts: { requestId?: string; now?: Date } = {}): Promise<void> {
  const backlog = usageBacklogState();
  if (backlog.behind) {
    throw new AppError(
      "unavailable",
      `Usage metering is catching up with a burst of activity. New turns are paused for a moment; you can send again in ${backlog.retryAfterSeconds} s.`,
      { reason: "usage_backlog", retryAfterSeconds: backlog.retryAfterSeconds, details: { limit: "usage_backlog", pending: backlog.pending, retryAfterSeconds: backlog.retryAfterSeconds } },
    );
  }
  const now = opts.now ?? new Date();
  const statuses = await budgetStatusOf(p, now);
  const over = statuses.find((s) => s.spentUsd >= s.limitUsd);
  if (over) {
    await noteExceeded(p, over, opts.requestId);
    throw budgetExceededError(over, now);
  }
}

/**
 * The banner's warning for the budget nearest its limit once past its soft threshold (null
 * below it), and the once-per-period budget.threshold_reached audit event for every budget past it.
 */
export async function budgetWarningFor(p: Principal, opts: { requestId?: string; now?: Date } = {}): Promise<BudgetWarning | null> {
  const now = opts.now ?? new Date();
  const past = (await budgetStatusOf(p, now)).filter((s) => s.percent >= s.softPercent).sort((a, b) => b.percent - a.percent);
  await Promise.all(
    past.map((s) =>
      db
        .for(p)
        .usage.noteOnce({
          budgetKey: s.key,
          periodStart: s.periodStart,
          kind: "threshold",
          action: "budget.threshold_reached",
          data: { scope: s.scope, subjectId: s.subjectId, period: s.period, limitUsd: s.limitUsd, spentUsd: s.spentUsd, softPercent: s.softPercent, fromDefault: s.fromDefault },
          requestId: opts.requestId,
        })
        .catch(() => false),
    ),
  );
  const top = past[0];
  if (!top) return null;
  return { percent: Math.min(100, Math.round(top.percent)), budget: describeBudget(top), resetsAt: top.resetsAt.toISOString() };
}

/**
 * A guard for each model call of a running turn (compose it with the token guard): before a call,
 * refuses it (429 budget_exceeded) once a budget's spend, counting every call in flight in this
 * process, has reached its limit; otherwise reserves the call's estimated cost until the call is
 * over (the real cost then arrives through metering). The budgets are read once per turn.
 */
export function budgetGuard(p: Principal, opts: { requestId?: string } = {}): CallGuard & { spentThisTurnUsd(): number } {
  let budgets: Promise<EffectiveBudget[]> | null = null;
  const held = new Map<CallGuardEstimate, { keys: string[]; usd: number }>();
  let spentThisTurn = 0;
  return {
    async beforeCall(estimate: CallGuardEstimate) {
      budgets ??= budgetsOf(p);
      const list = await budgets;
      if (list.length === 0) return;
      const now = new Date();
      const recorded = await Promise.all(list.map((b) => recordedOn(p, b, now)));
      // From here to the reservation nothing awaits: calls racing this one see its reservation.
      const statuses = list.map((b, i): BudgetStatus => {
        const { spentUsd: rec, start } = recorded[i]!;
        const spentUsd = rec + inFlightOn(p, b, start);
        return { ...b, spentUsd, percent: (spentUsd / b.limitUsd) * 100, periodStart: start, resetsAt: periodEnd(b.period, now) };
      });
      const over = statuses.find((s) => s.spentUsd >= s.limitUsd);
      if (over) {
        await noteExceeded(p, over, opts.requestId);
        throw budgetExceededError(over, now);
      }
      const usd = costOf({ model: estimate.model, inputTokens: estimate.inputTokens, outputTokens: estimate.outputTokens, cached: false }).costUsd;
      const keys = statuses.map((s) => ledgerKey(p.orgId, s, s.periodStart));
      reserve(keys, usd);
      held.set(estimate, { keys, usd });
    },
    afterCall(estimate: CallGuardEstimate, actual: CallGuardActual | null) {
      const h = held.get(estimate);
      if (h) {
        held.delete(estimate);
        // The gateway reports the attempt (and metering queues its row) right after this, in the same tick.
        unreserve(h.keys, h.usd);
      }
      if (actual) spentThisTurn += costOf(actual).costUsd;
    },
    spentThisTurnUsd: () => spentThisTurn,
  };
}

/** Tests: what calls in flight have reserved in this process. */
export function reservedBudgetUsd(): number {
  let s = 0;
  for (const v of reserved.values()) s += v;
  return s;
}
