import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getBudgets } from "@/app/api/admin/budgets/route";
import { DELETE as deleteBudget, PUT as putBudget } from "@/app/api/admin/budgets/[scope]/[subject]/route";
import { resetEnvCache } from "@/lib/config/env";
import { unsafeWriteUsageBatch, type UsageRowInput } from "@/lib/db";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { signedIn } from "@/lib/db/test-sessions";
import { AppError } from "@/lib/errors/app-error";
import { withRequestPrincipalForTests } from "@/lib/limits/test-routes";
import type { CallGuardEstimate } from "@/lib/models/gateway";
import { turnEmitter } from "@/lib/observability/turn-events";
import type { Principal } from "@/lib/principal";
import { budgetGuard, budgetWarningFor, checkBudget, forgetBudgets, reservedBudgetUsd } from "./budgets";
import { costOf } from "./prices";
import { flushUsage, installUsageRecorder } from "./recorder";

/**
 * Budgets on both databases: the admit check (429 budget_exceeded naming the budget, its reset
 * and who can raise it; Retry-After to the reset), the soft threshold (warning + one audit event
 * per period), the default per-user budget, team and org budgets, the per-call guard cutting a
 * runaway turn off, the overshoot of concurrent turns (measured and printed), and the admin API.
 */
let t: TestDatabase;
let alice: Principal;
let dan: Principal;
let acme: { id: string };
let sales: { id: string };
const saved = { ...process.env };

beforeAll(async () => {
  delete process.env.BUDGET_USER_MONTHLY_USD;
  delete process.env.MODEL_PRICES;
  delete process.env.MODEL_PRICE_DEFAULT;
  resetEnvCache();
  t = await createTestDatabase();
  acme = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  sales = await t.db.prisma.team.findFirstOrThrow({ where: { orgId: acme.id, name: "Sales" } });
  alice = await signedIn(t.db, "alice@acme.test");
  dan = await signedIn(t.db, "dan@acme.test");
  installUsageRecorder();
});
afterAll(async () => {
  process.env = { ...saved };
  resetEnvCache();
  await t?.dispose();
});
beforeEach(async () => {
  await flushUsage();
  await t.db.prisma.usageRecord.deleteMany({});
  await t.db.prisma.usageDaily.deleteMany({});
  await t.db.prisma.budget.deleteMany({});
  await t.db.prisma.budgetNotice.deleteMany({});
  forgetBudgets(acme.id);
  delete process.env.BUDGET_USER_MONTHLY_USD;
  resetEnvCache();
});

/** Spend already recorded for someone this month: one row costing `usd`. */
async function spent(p: Principal, usd: number, at = new Date()): Promise<void> {
  const row: UsageRowInput = { id: randomUUID(), orgId: p.orgId, userId: p.userId, teamId: "", conversationId: null, requestId: "seed", agent: "chat", deploymentId: "d", provider: "openai", model: "gpt-4o", inputTokens: 1, outputTokens: 1, cached: false, costUsd: usd, defaultPriced: false, at };
  await unsafeWriteUsageBatch([row]);
}

async function setBudget(scope: "user" | "team" | "org", subjectId: string, limitUsd: number, period: "day" | "week" | "month" = "month", softPercent = 80) {
  await t.db.prisma.budget.create({ data: { orgId: acme.id, scope, subjectId, limitUsd, period, softPercent } });
  forgetBudgets(acme.id); // written behind the app's back: drop its cached copy
}

const events = (action: string) => t.db.prisma.auditEvent.findMany({ where: { orgId: acme.id, action }, orderBy: { pos: "asc" } });

async function refusal(f: () => Promise<unknown>): Promise<AppError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe(`budgets (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("under budget: admitted, no warning; none at all: admitted", async () => {
    await expect(checkBudget(alice)).resolves.toBeUndefined();
    await setBudget("user", alice.userId, 20);
    await spent(alice, 5);
    await expect(checkBudget(alice)).resolves.toBeUndefined();
    expect(await budgetWarningFor(alice)).toBeNull();
  });

  it("a used-up monthly budget refuses the turn: 429 budget_exceeded, Retry-After to the 1st, a message naming it, its reset and who can raise it; audited once", async () => {
    await setBudget("user", alice.userId, 20);
    await spent(alice, 20.5);
    const now = new Date(Date.UTC(2026, 11, 2, 12, 0, 0));
    // The spend above is stamped now; pin "now" to its month only for the message.
    const e = await refusal(() => checkBudget(alice, { requestId: "r1" }));
    expect(e.code).toBe("budget_exceeded");
    expect(e.status).toBe(429);
    expect(e.message).toMatch(/^Your monthly budget of \$20\.00 is used up \(\$20\.50 spent\)\. It resets on 1 [A-Z][a-z]+\. An admin can raise it in Admin → Budgets\.$/);
    const res = e.toResponse();
    expect(res.status).toBe(429);
    const reset = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
    const retry = Number(res.headers.get("retry-after"));
    expect(Math.abs(retry - (reset.getTime() - Date.now()) / 1000)).toBeLessThan(5);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "budget_exceeded", reason: "budget_exceeded", details: { limit: "budget", scope: "user", period: "month", limitUsd: 20 } });
    await refusal(() => checkBudget(alice));
    expect(await events("budget.exceeded")).toHaveLength(1);
    void now;
  });

  it("the soft threshold (80%) gives the chat's warning and one budget.threshold_reached event per period", async () => {
    await setBudget("user", alice.userId, 20);
    await spent(alice, 17);
    const w = await budgetWarningFor(alice);
    expect(w).toMatchObject({ percent: 85, budget: "your monthly budget of $20.00" });
    expect(Date.parse(w!.resetsAt)).toBe(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
    await budgetWarningFor(alice);
    await spent(alice, 1);
    expect((await budgetWarningFor(alice))!.percent).toBe(90);
    const ev = await events("budget.threshold_reached");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.actorId).toBe(alice.userId);
    // Dan has no budget: no warning, no event.
    expect(await budgetWarningFor(dan)).toBeNull();
  });

  it("BUDGET_USER_MONTHLY_USD is everyone's budget unless they have their own", async () => {
    process.env.BUDGET_USER_MONTHLY_USD = "2";
    resetEnvCache();
    await spent(dan, 2.5);
    const e = await refusal(() => checkBudget(dan));
    expect(e.message).toContain("Your monthly budget of $2.00 is used up");
    await setBudget("user", dan.userId, 50);
    await expect(checkBudget(dan)).resolves.toBeUndefined();
  });

  it("a team's and the org's budgets bind everyone in them; a daily budget resets at midnight UTC", async () => {
    await setBudget("team", sales.id, 10, "week");
    await spent(alice, 11);
    const e = await refusal(() => checkBudget(alice));
    expect(e.message).toMatch(/^Your team's weekly budget of \$10\.00 is used up \(\$11\.00 spent\)\. It resets on Monday \d+ [A-Z][a-z]+\./);
    await expect(checkBudget(dan)).resolves.toBeUndefined(); // Support, not Sales
    await setBudget("org", acme.id, 5, "day");
    expect((await refusal(() => checkBudget(dan))).message).toMatch(/^Your organization's daily budget of \$5\.00 is used up .* It resets at midnight UTC\./);
  });

  it("last month's spend does not count against this month's budget", async () => {
    await setBudget("user", alice.userId, 1);
    const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - 86_400_000);
    await spent(alice, 100, lastMonth);
    await expect(checkBudget(alice)).resolves.toBeUndefined();
  });

  it("the guard cuts a runaway multi-step turn off once its own spend crosses the budget (overshoot printed)", async () => {
    const limit = 0.05;
    await setBudget("user", alice.userId, limit);
    const guard = budgetGuard(alice);
    const emit = turnEmitter(alice, "runaway", null);
    const estimate = (): CallGuardEstimate => ({ deploymentId: "d", model: "gpt-4o", inputTokens: 2000, outputTokens: 1024 });
    let calls = 0;
    let stopped: AppError | null = null;
    for (let step = 0; step < 100 && !stopped; step++) {
      const est = estimate();
      try {
        await guard.beforeCall(est);
      } catch (e) {
        stopped = e as AppError;
        break;
      }
      calls++;
      // What the gateway does: tell the guard, then report the attempt (metering queues it), same tick.
      guard.afterCall(est, { deploymentId: "d", model: "gpt-4o", inputTokens: 2000, outputTokens: 1000, cached: false });
      emit("model_call", { data: { deployment: "d", provider: "openai", model: "gpt-4o", inputTokens: 2000, outputTokens: 1000, agent: "research" } });
      if (step % 3 === 0) await flushUsage();
    }
    await flushUsage();
    expect(stopped?.code).toBe("budget_exceeded");
    const perCall = costOf({ model: "gpt-4o", inputTokens: 2000, outputTokens: 1000, cached: false }).costUsd;
    const total = calls * perCall;
    const overshoot = total - limit;
    console.log(`[budget] runaway turn: ${calls} calls of $${perCall.toFixed(4)} against $${limit}: spent $${total.toFixed(4)}, overshoot $${overshoot.toFixed(4)} (one call's estimate $${costOf({ ...estimate(), cached: false }).costUsd.toFixed(4)})`);
    expect(overshoot).toBeGreaterThanOrEqual(0);
    expect(overshoot).toBeLessThan(perCall);
    expect(guard.spentThisTurnUsd()).toBeCloseTo(total, 9);
    expect(reservedBudgetUsd()).toBe(0);
  });

  it("20 concurrent turns against a tiny budget overshoot it by at most one call's estimate (measured and printed)", async () => {
    const limit = 0.02;
    await setBudget("user", dan.userId, limit);
    const est = (): CallGuardEstimate => ({ deploymentId: "d", model: "gpt-4o", inputTokens: 1000, outputTokens: 1024 });
    const estUsd = costOf({ model: "gpt-4o", inputTokens: 1000, outputTokens: 1024, cached: false }).costUsd;
    let made = 0;
    let spentUsd = 0;
    const turn = async (i: number) => {
      const guard = budgetGuard(dan);
      const emit = turnEmitter(dan, `conc-${i}`, null);
      try {
        await checkBudget(dan);
      } catch {
        return;
      }
      for (let step = 0; step < 5; step++) {
        const e = est();
        try {
          await guard.beforeCall(e);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20)); // the model answering
        const out = 600 + Math.floor(Math.random() * 400);
        made++;
        spentUsd += costOf({ model: "gpt-4o", inputTokens: 1000, outputTokens: out, cached: false }).costUsd;
        guard.afterCall(e, { deploymentId: "d", model: "gpt-4o", inputTokens: 1000, outputTokens: out, cached: false });
        emit("model_call", { data: { deployment: "d", provider: "openai", model: "gpt-4o", inputTokens: 1000, outputTokens: out } });
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => turn(i)));
    await flushUsage();
    const overshoot = spentUsd - limit;
    console.log(`[budget] 20 concurrent turns, budget $${limit}: ${made} calls made, spent $${spentUsd.toFixed(4)}, overshoot $${Math.max(0, overshoot).toFixed(4)} (bound: one call's estimate $${estUsd.toFixed(4)})`);
    expect(overshoot).toBeLessThanOrEqual(estUsd);
    const stored = await t.db.prisma.usageDaily.aggregate({ where: { userId: dan.userId }, _sum: { calls: true } });
    expect(stored._sum.calls).toBe(made);
    await expect(refusal(() => checkBudget(dan))).resolves.toMatchObject({ code: "budget_exceeded" });
  });
});

describe(`admin budgets API (${process.env.ENCLAVE_TEST_DB})`, () => {
  const call = withRequestPrincipalForTests(() => t.db);
  const put = (who: string, scope: string, subject: string, body: unknown) =>
    call(who, putBudget, `http://localhost/api/admin/budgets/${scope}/${encodeURIComponent(subject)}`, { scope, subject }, { method: "PUT", body: JSON.stringify(body) });
  const del = (who: string, scope: string, subject: string) =>
    call(who, deleteBudget, `http://localhost/api/admin/budgets/${scope}/${encodeURIComponent(subject)}`, { scope, subject }, { method: "DELETE" });

  it("an admin sets, changes and removes budgets, each an audit event (from → to) in its transaction", async () => {
    const r1 = await put("carol@acme.test", "user", "alice@acme.test", { limitUsd: 20 });
    expect(r1.status).toBe(200);
    expect(await r1.json()).toMatchObject({ scope: "user", subjectId: alice.userId, limitUsd: 20, period: "month", softPercent: 80 });
    expect((await put("carol@acme.test", "user", alice.userId, { limitUsd: 30, period: "week", softPercent: 90 })).status).toBe(200);
    expect((await put("carol@acme.test", "team", sales.id, { limitUsd: 100 })).status).toBe(200);
    expect((await put("carol@acme.test", "org", "org", { limitUsd: 1000 })).status).toBe(200);
    const set = await events("budget.set");
    expect(set.at(-4)!.data).toMatchObject({ scope: "user", subjectId: alice.userId, from: null, to: { limitUsd: 20, period: "month" } });
    expect(set.at(-3)!.data).toMatchObject({ from: { limitUsd: 20 }, to: { limitUsd: 30, period: "week", softPercent: 90 } });
    const list = await (await call("carol@acme.test", getBudgets, "http://localhost/api/admin/budgets", {})).json();
    expect(list.budgets.map((b: { scope: string; subjectName: string }) => [b.scope, b.subjectName]).sort()).toEqual([
      ["org", "Whole organization"],
      ["team", "Sales"],
      ["user", "Alice Adams <alice@acme.test>"],
    ]);
    expect((await del("carol@acme.test", "team", sales.id)).status).toBe(204);
    expect((await events("budget.removed")).at(-1)!.data).toMatchObject({ scope: "team", subjectId: sales.id, from: { limitUsd: 100 } });
    expect(await t.db.prisma.budget.count({ where: { scope: "team" } })).toBe(0);
  });

  it.each([
    ["negative", { limitUsd: -5 }, "limitUsd"],
    ["zero", { limitUsd: 0 }, "limitUsd"],
    ["non-numeric", { limitUsd: "lots" }, "limitUsd"],
    ["absurd (over 10^9)", { limitUsd: 1e10 }, "limitUsd"],
    ["an unknown period", { limitUsd: 5, period: "year" }, "period"],
    ["a soft percent over 100", { limitUsd: 5, softPercent: 150 }, "softPercent"],
  ])("a %s value is refused with 422 naming the field, and nothing changes", async (_what, body, field) => {
    const before = (await events("budget.set")).length;
    const res = await put("carol@acme.test", "user", alice.userId, body);
    expect(res.status).toBe(422);
    const b = await res.json();
    expect(b.error.code).toBe("validation_failed");
    expect(b.error.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(await t.db.prisma.budget.count()).toBe(0);
    expect(await events("budget.set")).toHaveLength(before);
  });

  it("members, managers and auditors get 404; another org's person or team is not found", async () => {
    for (const who of ["alice@acme.test", "bob@acme.test", "ivan@acme.test"]) {
      expect((await call(who, getBudgets, "http://localhost/api/admin/budgets", {})).status).toBe(404);
      expect((await put(who, "user", alice.userId, { limitUsd: 1 })).status).toBe(404);
      expect((await del(who, "user", alice.userId)).status).toBe(404);
    }
    expect((await put("carol@acme.test", "user", "frank@globex.test", { limitUsd: 1 })).status).toBe(404);
    expect((await put("carol@acme.test", "org", "some-other-org", { limitUsd: 1 })).status).toBe(404);
    expect(await t.db.prisma.budget.count()).toBe(0);
  });
});
