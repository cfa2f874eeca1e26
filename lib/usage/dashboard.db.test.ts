import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getAdminUsage } from "@/app/api/admin/usage/route";
import { GET as exportCsv } from "@/app/api/admin/usage/export.csv/route";
import { GET as getMyUsage } from "@/app/api/me/usage/route";
import { resetEnvCache } from "@/lib/config/env";
import { unsafeWriteUsageBatch, type UsageRowInput } from "@/lib/db";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { withRequestPrincipalForTests } from "@/lib/limits/test-routes";

/**
 * Who sees whose usage, through the route handlers: a person their own (/api/me/usage); a member
 * nothing else (404); a manager only the teams they manage (bob: Sales), a filter naming anyone
 * else 404; an admin and an auditor the whole org; never another org. The CSV has the same scope.
 */
let t: TestDatabase;
const ids: Record<string, { id: string; orgId: string; teamId: string | null }> = {};
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  resetEnvCache();
  t = await createTestDatabase();
  for (const email of ["alice@acme.test", "dan@acme.test", "bob@acme.test", "frank@globex.test"]) {
    ids[email] = await t.db.prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true, orgId: true, teamId: true } });
  }
  const row = (email: string, model: string, agent: string, usd: number, defaultPriced = false): UsageRowInput => ({
    id: randomUUID(), orgId: ids[email]!.orgId, userId: ids[email]!.id, teamId: "", conversationId: null, requestId: "seed", agent, deploymentId: "d", provider: "openai", model, inputTokens: 100, outputTokens: 50, cached: false, costUsd: usd, defaultPriced, at: new Date(),
  });
  await unsafeWriteUsageBatch([
    row("alice@acme.test", "gpt-4o", "research", 1.5),
    row("alice@acme.test", "gpt-4o-mini", "writing", 0.25),
    row("dan@acme.test", "mystery-model", "chat", 4, true),
    row("bob@acme.test", "gpt-4o", "aggregator", 0.5),
    row("frank@globex.test", "gpt-4o", "chat", 99),
  ]);
});
afterAll(async () => {
  await t?.dispose();
});

const call = withRequestPrincipalForTests(() => t.db);
const admin = (who: string, q = "") => call(who, getAdminUsage, `http://localhost/api/admin/usage${q}`, {});
const users = (b: { byUser: Array<{ name: string }> }) => b.byUser.map((u) => u.name).sort();

describe(`usage dashboards: scope (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("a person sees their own usage only, by day and by model", async () => {
    const res = await call("alice@acme.test", getMyUsage, "http://localhost/api/me/usage", {});
    expect(res.status).toBe(200);
    const b = await res.json();
    expect(b.totals.costUsd).toBeCloseTo(1.75, 6);
    expect(b.byModel.map((m: { key: string }) => m.key)).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(b.byDay).toHaveLength(30);
    expect(b.byDay.at(-1)).toMatchObject({ day: today, calls: 2 });
  });

  it("a member gets 404 on the admin usage API and its CSV", async () => {
    expect((await admin("alice@acme.test")).status).toBe(404);
    expect((await call("alice@acme.test", exportCsv, "http://localhost/api/admin/usage/export.csv", {})).status).toBe(404);
  });

  it("a manager sees the teams they manage only; naming someone outside them is 404", async () => {
    const res = await admin("bob@acme.test");
    expect(res.status).toBe(200);
    const b = await res.json();
    expect(b.scope).toBe("teams");
    expect(users(b)).toEqual(["Alice Adams", "Bob Brown"]);
    expect(b.totals.costUsd).toBeCloseTo(2.25, 6);
    expect(b.options.teams.map((x: { name: string }) => x.name)).toEqual(["Sales"]);
    expect((await admin("bob@acme.test", `?user=${ids["dan@acme.test"]!.id}`)).status).toBe(404);
    expect((await admin("bob@acme.test", `?team=${ids["dan@acme.test"]!.teamId}`)).status).toBe(404);
    expect((await admin("bob@acme.test", `?user=${ids["frank@globex.test"]!.id}`)).status).toBe(404);
    const alice = await (await admin("bob@acme.test", `?user=${ids["alice@acme.test"]!.id}`)).json();
    expect(users(alice)).toEqual(["Alice Adams"]);
    const csv = await (await call("bob@acme.test", exportCsv, "http://localhost/api/admin/usage/export.csv", {})).text();
    expect(csv).toContain("alice@acme.test");
    expect(csv).not.toContain("dan@acme.test");
  });

  it("an admin and an auditor see the whole org (not another org), by person, model and agent, with the default-priced share", async () => {
    for (const who of ["carol@acme.test", "ivan@acme.test"]) {
      const b = await (await admin(who)).json();
      expect(b.scope).toBe("org");
      expect(users(b)).toEqual(["Alice Adams", "Bob Brown", "Dan Diaz"]);
      expect(b.totals.costUsd).toBeCloseTo(6.25, 6);
      expect(b.byAgent.map((a: { key: string }) => a.key).sort()).toEqual(["aggregator", "chat", "research", "writing"]);
      expect(b.topUsers[0]).toMatchObject({ name: "Dan Diaz" });
      expect(b.defaultPricedShare.calls).toBeCloseTo(1 / 4, 6);
      expect(b.defaultPricedShare.cost).toBeCloseTo(4 / 6.25, 6);
    }
    const model = await (await admin("carol@acme.test", "?model=gpt-4o")).json();
    expect(model.totals.calls).toBe(2);
    expect((await admin("carol@acme.test", `?user=${ids["frank@globex.test"]!.id}`)).status).toBe(404);
  });

  it("the CSV export lists the daily rows of the view, spreadsheet-safe", async () => {
    const res = await call("carol@acme.test", exportCsv, "http://localhost/api/admin/usage/export.csv?model=mystery-model", {});
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="usage-.*\.csv"/);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("day,user_id,user_name,user_email,team_id,team_name,model,agent,calls,cached_calls,default_priced_calls,input_tokens,output_tokens,cost_usd,default_priced_cost_usd");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${today},${ids["dan@acme.test"]!.id},Dan Diaz,dan@acme.test`);
    expect(lines[1]).toMatch(/,mystery-model,chat,1,0,1,100,50,4\.000000,4\.000000$/);
  });

  it("bad filters are 422 naming the field", async () => {
    for (const [q, field] of [["?from=yesterday", "from"], ["?from=2026-12-10&to=2026-12-01", "from"], ["?from=2020-01-01&to=2026-12-01", "from"], ["?colour=red", "(body)"]] as const) {
      const res = await admin("carol@acme.test", q);
      expect(res.status, q).toBe(422);
      const b = await res.json();
      expect(b.error.fields[0].field, q).toBe(field);
    }
  });
});
