import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { expectAppError } from "@/lib/admin/test-helpers";
import { parseEnv } from "@/lib/config/env";
import { installSharedState, sharedRedis, uninstallSharedState } from "@/lib/models/shared-state";
import { sha256 } from "@/lib/audit-record/canonical";
import { writeAudit } from "@/lib/db/audit";
import { sealAllPendingQuietly } from "@/lib/audit/seal";
import { verifyOrgChain } from "@/lib/audit/verify";
import { erasedPseudonym } from "@/lib/db/repositories/erasure";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { inProcessAdapter, installJobServiceForTests, jobs, JobService } from "@/lib/jobs";
import { JOB_DEFINITIONS } from "@/lib/jobs/kinds";
import { admission, startAdmission } from "@/lib/limits/admission";
import { responseCache } from "@/lib/models/registry";
import { cacheKey } from "@/lib/models/response-cache";
import type { Principal } from "@/lib/principal";
import { ERASURE_JOB_KIND } from "./erasure-job";
import { startErasureOf, startMyErasure } from "./erasure";
import { startExport } from "./export";

/**
 * Erasure cascades through every store the app writes for a person: afterwards no table row
 * (the audit trail's included, redacted with its chain intact) holds their id, email, name or
 * anything they wrote, the in-process response cache and limiter hold nothing of theirs, and
 * other people's data and the org's spend are untouched. An erasure interrupted midway finishes
 * when the job is resumed.
 */
let t: TestDatabase;
let carol: Principal;
let alice: Principal;
let bob: Principal;
let erin: Principal;
const kinds = JOB_DEFINITIONS.map((d) => d.kind);

beforeAll(async () => {
  t = await createTestDatabase();
  installJobServiceForTests(new JobService(inProcessAdapter({ kinds, resumeOnStart: false }), JOB_DEFINITIONS));
  carol = principalFor(await seededUser(t.db, "carol@acme.test"));
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  bob = principalFor(await seededUser(t.db, "bob@acme.test"));
  erin = principalFor(await seededUser(t.db, "erin@globex.test"));
});
afterAll(async () => {
  await jobs().close();
  installJobServiceForTests(undefined);
  await t?.dispose();
});

interface Person {
  p: Principal;
  marker: string;
  conversations: string[];
}

/** A person of Acme with something in every store. */
async function personWithData(label: string, opts: { conversations?: number } = {}): Promise<Person> {
  const acme = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  const tag = randomUUID().slice(0, 8);
  const marker = `zebra${tag}`;
  const u = await t.db.prisma.user.create({
    data: { orgId: acme.id, email: `${label}-${tag}@acme.test`, name: `${label} Quimby${tag}`, role: "member" },
    select: { id: true, orgId: true, email: true, name: true, role: true, teamId: true, disabledAt: true },
  });
  const p = principalFor(u, { sessionId: `sess-${tag}` });
  const conversations: string[] = [];
  for (let i = 0; i < (opts.conversations ?? 2); i++) {
    const id = randomUUID();
    conversations.push(id);
    await t.db.prisma.conversation.create({ data: { id, orgId: p.orgId, userId: p.userId, title: `About ${marker} ${i}` } });
    for (const role of ["user", "assistant"] as const)
      await t.db.prisma.message.create({ data: { id: randomUUID(), conversationId: id, orgId: p.orgId, userId: p.userId, role, parts: [{ type: "text", text: `${role} says ${marker}` }] } });
  }
  await t.db.prisma.memory.create({ data: { orgId: p.orgId, userId: p.userId, text: `Likes ${marker}`, sourceConversationId: conversations[0] ?? null, origin: "user" } });
  await t.db.prisma.userPreference.create({ data: { orgId: p.orgId, userId: p.userId, language: `Lang ${marker}` } });
  await t.db.prisma.session.create({ data: { id: p.sessionId, orgId: p.orgId, userId: p.userId, provider: "dev", expiresAt: new Date(Date.now() + 3_600_000) } });
  await t.db.prisma.apiKey.create({ data: { orgId: p.orgId, userId: p.userId, name: `Key ${marker}`, prefix: `ek_${tag}`, hash: `hash-${tag}`, scopes: ["chat"] } });
  const usage = { orgId: p.orgId, userId: p.userId, requestId: `req-${tag}`, agent: "aggregator", deploymentId: "offline", provider: "offline", model: "offline", inputTokens: 10, outputTokens: 5, costUsd: "0.25", at: new Date() };
  await t.db.prisma.usageRecord.create({ data: { id: randomUUID(), conversationId: conversations[0] ?? null, ...usage } });
  await t.db.prisma.usageDaily.create({
    data: { orgId: p.orgId, day: new Date(new Date().toISOString().slice(0, 10)), userId: p.userId, teamId: "", model: "offline", agent: "aggregator", calls: 1, cachedCalls: 0, defaultPricedCalls: 0, inputTokens: 10n, outputTokens: 5n, costUsd: "0.25", defaultPricedCostUsd: "0" },
  });
  if (conversations[0])
    await t.db.prisma.conversationView.create({ data: { orgId: p.orgId, viewerId: bob.userId, ownerId: p.userId, conversationId: conversations[0], conversationTitle: `About ${marker} 0`, justification: "review", expiresAt: new Date(Date.now() + 3_600_000) } });
  await t.db.prisma.limitOverride.create({ data: { orgId: p.orgId, scope: "user", subjectId: p.userId, userRpm: 5 } });
  await t.db.prisma.budget.create({ data: { orgId: p.orgId, scope: "user", subjectId: p.userId, limitUsd: "10" } });
  await t.db.prisma.budgetNotice.create({ data: { orgId: p.orgId, budgetKey: `user:${p.userId}`, periodStart: new Date(), kind: "soft" } });
  // What the audit trail holds about them: their own chat step (what they said) and an admin's change.
  await writeAudit(t.db.prisma, { orgId: p.orgId, actorId: p.userId, sessionId: p.sessionId, action: "chat.request_received", target: { type: "conversation", id: conversations[0] ?? "none" }, inputHash: sha256(marker), content: { text: `said ${marker}` } });
  await writeAudit(t.db.prisma, { orgId: p.orgId, actorId: carol.userId, action: "user.role_changed", target: { type: "user", id: p.userId }, data: { email: p.email, name: p.name, from: "member", to: "member" } });
  // A finished export (an archive holding everything) and the caches and counters of a turn.
  await startExport(p);
  await jobs().idle();
  await responseCache().set(cacheKey(p.orgId, p.userId, "offline", { prompt: marker }), { parts: [] }, 60_000);
  (await admission().admit(p)).release();
  return { p, marker, conversations };
}

/** Every row of every table, the audit trail included, that mentions one of the needles. */
async function rowsMentioning(needles: string[]): Promise<string[]> {
  const tables = await t.db.prisma.$queryRaw<Array<{ table_name: string }>>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_prisma%' ORDER BY table_name`;
  expect(tables.length).toBeGreaterThan(15);
  const hits: string[] = [];
  for (const { table_name } of tables) {
    const rows = await t.db.prisma.$queryRawUnsafe<Array<{ row: string }>>(`SELECT row_to_json(x)::text AS row FROM "${table_name}" x`);
    for (const { row } of rows) for (const n of needles) if (row.includes(n)) hits.push(`${table_name}: ${row.slice(0, 160)}`);
  }
  return hits;
}

const needlesOf = (x: Person) => [x.p.userId, x.p.email, x.p.name, x.marker];
const spendOfAcme = async () => (await t.db.prisma.usageRecord.aggregate({ where: { orgId: carol.orgId }, _sum: { costUsd: true } }))._sum.costUsd?.toString();
const jobOf = (id: string) => t.db.prisma.backgroundJob.findUnique({ where: { id } });

describe(`erasure (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("an admin erases an account: every table, the cache and the limiter forget the person; others and the org's spend stay", async () => {
    const zed = await personWithData("zed");
    const other = await personWithData("yvonne");
    expect((await rowsMentioning(needlesOf(zed))).length).toBeGreaterThan(10);
    const spend = await spendOfAcme();
    const userKey = `${zed.p.orgId}:${zed.p.userId}`;
    expect((await admission().windows.peek("requests", userKey)).used).toBe(1);

    const { id } = await startErasureOf(carol, zed.p.userId, { scope: "account" }, { requestId: "req-erase" });
    await jobs().idle();
    expect(await jobs().get(id, carol)).toMatchObject({ id, kind: ERASURE_JOB_KIND, status: "done", progress: 100 });

    expect(await rowsMentioning(needlesOf(zed))).toEqual([]);
    expect(await responseCache().get(cacheKey(zed.p.orgId, zed.p.userId, "offline", { prompt: zed.marker }))).toBeNull();
    expect((await admission().windows.peek("requests", userKey)).used).toBe(0);
    // The org's spend is still counted, under a pseudonym.
    expect(await spendOfAcme()).toBe(spend);
    expect(await t.db.prisma.usageRecord.count({ where: { userId: erasedPseudonym(zed.p.orgId, zed.p.userId) } })).toBe(1);
    // Someone else's data is untouched.
    expect(await t.db.prisma.conversation.count({ where: { userId: other.p.userId } })).toBe(2);
    expect(await t.db.prisma.memory.count({ where: { userId: other.p.userId } })).toBe(1);
    expect(await responseCache().get(cacheKey(other.p.orgId, other.p.userId, "offline", { prompt: other.marker }))).not.toBeNull();

    // Recorded under the pseudonym, by the admin, with what went; the chain still verifies.
    const events = await t.db.prisma.auditEvent.findMany({ where: { action: { in: ["data.erasure_requested", "data.erased"] }, data: { path: ["jobId"], equals: id } }, orderBy: { pos: "asc" } });
    expect(events.map((e) => [e.action, e.actorId, e.targetId])).toEqual([
      ["data.erasure_requested", carol.userId, erasedPseudonym(zed.p.orgId, zed.p.userId)],
      ["data.erased", carol.userId, erasedPseudonym(zed.p.orgId, zed.p.userId)],
    ]);
    expect(events[1]!.data).toMatchObject({ scope: "account", conversations: 2, messages: 4, memories: 1, preferences: 1, exports: 1, cachedResponses: 1, usageRecords: 1, usageDaily: 1, auditEventsUnredactable: 0 });
    // Their chat step, the admin's change about them and their export's events, at least.
    expect((events[1]!.data as { auditEventsRedacted: number }).auditEventsRedacted).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(events.map((e) => [e.actorId, e.targetId, e.data, e.content]))).not.toMatch(new RegExp(`${zed.p.userId}|${zed.p.email}|${zed.marker}`));
    await sealAllPendingQuietly();
    expect((await verifyOrgChain(carol.orgId)).ok).toBe(true);
  });

  it("a person erases their content: conversations, memory, archives and cache go; the account, its sessions, keys and preferences stay", async () => {
    const x = await personWithData("xavier");
    const { id } = await startMyErasure(x.p, { scope: "content" });
    await jobs().idle();
    expect(await jobs().get(id, x.p)).toMatchObject({ status: "done", progress: 100 });
    expect(await t.db.prisma.conversation.count({ where: { userId: x.p.userId } })).toBe(0);
    expect(await t.db.prisma.message.count({ where: { userId: x.p.userId } })).toBe(0);
    expect(await t.db.prisma.memory.count({ where: { userId: x.p.userId } })).toBe(0);
    expect(await t.db.prisma.dataExport.count({ where: { userId: x.p.userId } })).toBe(0);
    expect(await t.db.prisma.conversationView.count({ where: { ownerId: x.p.userId } })).toBe(0);
    expect(await responseCache().get(cacheKey(x.p.orgId, x.p.userId, "offline", { prompt: x.marker }))).toBeNull();
    expect(await t.db.prisma.user.findUnique({ where: { id: x.p.userId }, select: { disabledAt: true } })).toEqual({ disabledAt: null });
    expect(await t.db.prisma.session.count({ where: { userId: x.p.userId, revokedAt: null } })).toBe(1);
    expect(await t.db.prisma.apiKey.count({ where: { userId: x.p.userId, revokedAt: null } })).toBe(1);
    expect(await t.db.prisma.userPreference.count({ where: { userId: x.p.userId } })).toBe(1);
    // Nothing they wrote is left anywhere but the preferences and key names they keep.
    expect((await rowsMentioning([x.marker])).filter((r) => !/^(UserPreference|ApiKey):/.test(r))).toEqual([]);
  });

  it("a person erases their own account: the job's row goes with it, the request names no one", async () => {
    const w = await personWithData("wanda", { conversations: 1 });
    const { id } = await startMyErasure(w.p, { scope: "account" });
    await jobs().idle();
    expect(await jobOf(id)).toBeNull();
    expect(await rowsMentioning(needlesOf(w))).toEqual([]);
    const requested = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { action: "data.erasure_requested", data: { path: ["jobId"], equals: id } } });
    expect([requested.actorId, requested.sessionId, requested.targetId]).toEqual([null, null, erasedPseudonym(w.p.orgId, w.p.userId)]);
  });

  it("an erasure interrupted midway (the process died) finishes when the job is resumed", async () => {
    const v = await personWithData("victor", { conversations: 3 });
    const enqueuer = new JobService(inProcessAdapter({ kinds, resumeOnStart: false }), JOB_DEFINITIONS, { worker: false });
    const { id } = await enqueuer.enqueue(ERASURE_JOB_KIND, { userId: v.p.userId, scope: "account" }, { orgId: carol.orgId, userId: carol.userId, startedById: carol.userId });
    // As if a worker had started it and died after the first batch: locked out, one conversation gone.
    const repo = (await import("@/lib/db")).db.forOwner(v.p).erasure;
    await repo.lockOut();
    await repo.deleteConversations(1);
    await t.db.prisma.backgroundJob.update({ where: { id }, data: { status: "running", attempts: 1, progress: 27 } });
    expect(await t.db.prisma.conversation.count({ where: { userId: v.p.userId } })).toBe(2);

    const restarted = new JobService(inProcessAdapter({ kinds }), JOB_DEFINITIONS);
    await restarted.start();
    for (let i = 0; i < 100 && (await jobOf(id))?.status !== "done"; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await jobOf(id)).toMatchObject({ status: "done", progress: 100, attempts: 2 });
    expect(await rowsMentioning(needlesOf(v))).toEqual([]);
    await restarted.close();
    await enqueuer.close();
  });

  it("refusals: no permission or another org is 404, a bad scope names the field, the last admin cannot erase their account", async () => {
    await expectAppError(startErasureOf(alice, bob.userId, { scope: "content" }), "not_found");
    await expectAppError(startErasureOf(erin, alice.userId, { scope: "content" }), "not_found");
    await expectAppError(startErasureOf(carol, "not-a-user-id-at-all", { scope: "content" }), "not_found");
    const bad = await expectAppError(startErasureOf(carol, alice.userId, { scope: "everything" }), "validation_failed");
    expect(bad.fields?.map((f) => f.field)).toEqual(["scope"]);
    await expectAppError(startMyErasure(alice, {}), "validation_failed");
    const last = await expectAppError(startMyErasure(carol, { scope: "account" }), "conflict");
    expect(last.reason).toBe("last_admin");
    expect(await t.db.prisma.user.count({ where: { id: { in: [carol.userId, alice.userId, bob.userId] } } })).toBe(3);
    expect(await t.db.prisma.backgroundJob.count({ where: { kind: ERASURE_JOB_KIND, payload: { path: ["userId"], equals: alice.userId } } })).toBe(0);
  });
});

describe(`erasure with Redis (${process.env.ENCLAVE_TEST_DB})`, () => {
  beforeAll(async () => {
    expect(await installSharedState(parseEnv({ REDIS_URL: process.env.ENCLAVE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379" }))).toBe("redis");
    await startAdmission();
  });
  afterAll(async () => {
    await uninstallSharedState();
  });

  async function redisKeysMentioning(needles: string[]): Promise<string[]> {
    const redis = sharedRedis()!;
    const hits: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
      cursor = next;
      for (const k of keys) if (needles.some((n) => k.includes(n) || k.includes(encodeURIComponent(n)))) hits.push(k);
    } while (cursor !== "0");
    return hits;
  }

  it("no Redis key names the person afterwards: the response cache and the limiter's counters and slots are gone", async () => {
    const r = await personWithData("ursula");
    expect(responseCache().kind).toBe("redis");
    expect(admission().redis?.status).toBe("ready");
    expect((await redisKeysMentioning([r.p.userId])).length).toBeGreaterThanOrEqual(2);
    const { id } = await startErasureOf(carol, r.p.userId, { scope: "account" });
    await jobs().idle();
    expect(await jobs().get(id, carol)).toMatchObject({ status: "done" });
    expect(await redisKeysMentioning(needlesOf(r))).toEqual([]);
    expect(await rowsMentioning(needlesOf(r))).toEqual([]);
  });
});
