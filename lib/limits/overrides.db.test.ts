import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getLimits } from "@/app/api/admin/limits/route";
import { DELETE as deleteLimit, PUT as putLimit } from "@/app/api/admin/limits/[scope]/[subject]/route";
import { resetEnvCache } from "@/lib/config/env";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { signedIn } from "@/lib/db/test-sessions";
import { withRequestPrincipalForTests } from "./test-routes";
import { admission } from "./admission";

/**
 * Limit overrides end to end through the route handlers: admin only (budget.manage), each change
 * and its audit event in one transaction, bad values 422 naming the field, another org's subject
 * 404, and admission applies a change at once on this instance.
 */
let t: TestDatabase;
const saved = { ...process.env };
let acme: { id: string };
let sales: { id: string };
let support: { id: string };
let alice: { id: string };

beforeAll(async () => {
  for (const k of ["RATE_LIMIT_USER_RPM", "RATE_LIMIT_USER_TPM", "RATE_LIMIT_ORG_RPM", "RATE_LIMIT_ORG_TPM", "USER_MAX_CONCURRENT_TURNS", "REDIS_URL"]) delete process.env[k];
  process.env.RATE_LIMIT_USER_RPM = "30";
  resetEnvCache();
  t = await createTestDatabase();
  acme = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  sales = await t.db.prisma.team.findFirstOrThrow({ where: { orgId: acme.id, name: "Sales" } });
  support = await t.db.prisma.team.findFirstOrThrow({ where: { orgId: acme.id, name: "Support" } });
  alice = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "alice@acme.test" } });
});
afterAll(async () => {
  process.env = { ...saved };
  resetEnvCache();
  await t?.dispose();
});
beforeEach(async () => {
  await t.db.prisma.limitOverride.deleteMany({});
});

const call = withRequestPrincipalForTests(() => t.db);
const put = (who: string, scope: string, subject: string, body: unknown) =>
  call(who, putLimit, `http://localhost/api/admin/limits/${scope}/${encodeURIComponent(subject)}`, { scope, subject }, { method: "PUT", body: JSON.stringify(body) });
const del = (who: string, scope: string, subject: string) =>
  call(who, deleteLimit, `http://localhost/api/admin/limits/${scope}/${encodeURIComponent(subject)}`, { scope, subject }, { method: "DELETE" });
const events = (action: string) => t.db.prisma.auditEvent.findMany({ where: { orgId: acme.id, action }, orderBy: { pos: "asc" } });

describe(`admission limit overrides (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("an admin sets role, team and user overrides; the list shows them named with the env defaults; each is a limit.set audit event", async () => {
    const before = (await events("limit.set")).length;
    expect((await put("carol@acme.test", "role", "member", { userRpm: 10, maxConcurrentTurns: 2 })).status).toBe(200);
    expect((await put("carol@acme.test", "team", sales.id, { userRpm: 20 })).status).toBe(200);
    const byEmail = await put("carol@acme.test", "user", "Alice@Acme.test", { userTpm: 50_000 });
    expect(byEmail.status).toBe(200);
    expect(await byEmail.json()).toMatchObject({ scope: "user", subjectId: alice.id, userTpm: 50_000, userRpm: null });

    const res = await call("carol@acme.test", getLimits, "http://localhost/api/admin/limits", {});
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.defaults).toMatchObject({ userRpm: 30, maxConcurrentTurns: 3 });
    expect(body.overrides.map((o: { scope: string; subjectName: string }) => [o.scope, o.subjectName])).toEqual([
      ["role", "Member"],
      ["team", "Sales"],
      ["user", "Alice Adams <alice@acme.test>"],
    ]);
    expect(body.roles.map((r: { key: string }) => r.key)).toContain("member");
    expect(body.teams.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(["Sales", "Support"]));

    const set = (await events("limit.set")).slice(before);
    expect(set).toHaveLength(3);
    expect(set[0]).toMatchObject({ targetType: "limit_override", data: { scope: "role", subjectId: "member", from: null, to: { userRpm: 10, userTpm: null, maxConcurrentTurns: 2 } } });

    // Changing one records from → to.
    await put("carol@acme.test", "role", "member", { userRpm: 12 });
    const last = (await events("limit.set")).at(-1)!;
    expect(last.data).toMatchObject({ from: { userRpm: 10, maxConcurrentTurns: 2 }, to: { userRpm: 12, maxConcurrentTurns: null } });
  });

  it("admission resolves user > team > role > env and applies a change at once on this instance", async () => {
    const p = await signedIn(t.db, "alice@acme.test"); // member of Sales
    expect(await admission().limitsFor(p)).toMatchObject({ userRpm: 30, maxConcurrentTurns: 3 });
    await put("carol@acme.test", "role", "member", { userRpm: 10, maxConcurrentTurns: 2 });
    expect(await admission().limitsFor(p)).toMatchObject({ userRpm: 10, maxConcurrentTurns: 2 });
    await put("carol@acme.test", "team", sales.id, { userRpm: 20 });
    await put("carol@acme.test", "user", alice.id, { maxConcurrentTurns: 7 });
    expect(await admission().limitsFor(p)).toMatchObject({ userRpm: 20, maxConcurrentTurns: 7 });
    // Dan (Support) gets the role's.
    expect(await admission().limitsFor(await signedIn(t.db, "dan@acme.test"))).toMatchObject({ userRpm: 10, maxConcurrentTurns: 2 });
    // Removing the team's: the role's again.
    expect((await del("carol@acme.test", "team", sales.id)).status).toBe(204);
    expect(await admission().limitsFor(p)).toMatchObject({ userRpm: 10, maxConcurrentTurns: 7 });
  });

  it("remove writes limit.removed in the same transaction; removing what is not there changes nothing", async () => {
    await put("carol@acme.test", "team", support.id, { userRpm: 5 });
    const removedBefore = (await events("limit.removed")).length;
    expect((await del("carol@acme.test", "team", support.id)).status).toBe(204);
    expect(await t.db.prisma.limitOverride.count({ where: { orgId: acme.id } })).toBe(0);
    const removed = (await events("limit.removed")).slice(removedBefore);
    expect(removed).toHaveLength(1);
    expect(removed[0]!.data).toMatchObject({ scope: "team", subjectId: support.id, from: { userRpm: 5 } });
    expect((await del("carol@acme.test", "team", support.id)).status).toBe(204);
    expect((await events("limit.removed")).length).toBe(removedBefore + 1);
  });

  it("bad values are 422 naming the field; nothing is stored or audited", async () => {
    const before = (await events("limit.set")).length;
    for (const [body, field] of [
      [{ userRpm: -1 }, "userRpm"],
      [{ userTpm: "lots" }, "userTpm"],
      [{ maxConcurrentTurns: 2.5 }, "maxConcurrentTurns"],
      [{ userRpm: 1_000_000_001 }, "userRpm"],
      [{}, "userRpm"],
      [{ userRpm: 5, extra: 1 }, "(body)"],
    ] as const) {
      const res = await put("carol@acme.test", "role", "member", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const err = (await res.json()).error;
      expect(err.code).toBe("validation_failed");
      expect(err.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect(await t.db.prisma.limitOverride.count()).toBe(0);
    expect((await events("limit.set")).length).toBe(before);
  });

  it("another org's team or user, an unknown role or scope: 404, and nothing changes", async () => {
    const globex = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "globex" } });
    const frank = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "frank@globex.test" } });
    const otherTeam = await t.db.prisma.team.create({ data: { orgId: globex.id, name: `Globex team ${Date.now()}` } });
    for (const [scope, subject] of [
      ["team", otherTeam.id],
      ["user", frank.id],
      ["user", "frank@globex.test"],
      ["role", "no-such-role"],
      ["org", acme.id],
      ["team", "bad id with spaces"],
    ] as const) {
      expect((await put("carol@acme.test", scope, subject, { userRpm: 1 })).status, `${scope} ${subject}`).toBe(404);
      expect((await del("carol@acme.test", scope, subject)).status, `${scope} ${subject}`).toBe(404);
    }
    expect(await t.db.prisma.limitOverride.count()).toBe(0);
    // Globex's admin cannot reach Acme's either.
    await put("carol@acme.test", "team", sales.id, { userRpm: 4 });
    expect((await del("erin@globex.test", "team", sales.id)).status).toBe(404);
    expect(await t.db.prisma.limitOverride.count()).toBe(1);
  });

  it("members, managers and auditors get 404 from every limits route", async () => {
    for (const who of ["alice@acme.test", "bob@acme.test", "ivan@acme.test"]) {
      expect((await call(who, getLimits, "http://localhost/api/admin/limits", {})).status).toBe(404);
      expect((await put(who, "role", "member", { userRpm: 1 })).status).toBe(404);
      expect((await del(who, "role", "member")).status).toBe(404);
    }
    expect(await t.db.prisma.limitOverride.count()).toBe(0);
  });
});
