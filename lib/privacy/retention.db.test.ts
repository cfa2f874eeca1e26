import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSettings, updateSettings } from "@/lib/admin/settings";
import { expectAppError } from "@/lib/admin/test-helpers";
import { sealAllPendingQuietly } from "@/lib/audit/seal";
import { verifyOrgChain } from "@/lib/audit/verify";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { describeRetention, myRetentionPolicy, purgeExpiredConversations } from "./retention";

/**
 * Retention: with a period set, conversations last active longer ago are purged with their
 * messages and the team-view records naming them, and the purge says what it removed; newer
 * conversations, other orgs and the users' memories stay.
 */

const DAY = 86_400_000;
let t: TestDatabase;
let alice: Principal;
let dan: Principal;
let carol: Principal;
let frank: Principal;
let bob: Principal;

beforeAll(async () => {
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  dan = principalFor(await seededUser(t.db, "dan@acme.test"));
  carol = principalFor(await seededUser(t.db, "carol@acme.test"));
  bob = principalFor(await seededUser(t.db, "bob@acme.test"));
  frank = principalFor(await seededUser(t.db, "frank@globex.test"));
});
afterAll(async () => {
  await t?.dispose();
});

/** A conversation whose last activity was `daysAgo` days before `now`, with `n` messages. */
async function conversationOf(p: Principal, title: string, daysAgo: number, n: number, now: Date): Promise<string> {
  const id = crypto.randomUUID();
  const at = new Date(now.getTime() - daysAgo * DAY);
  await t.db.prisma.conversation.create({ data: { id, orgId: p.orgId, userId: p.userId, title, createdAt: at, updatedAt: at } });
  for (let i = 0; i < n; i++) {
    await t.db.prisma.message.create({
      data: { id: crypto.randomUUID(), conversationId: id, orgId: p.orgId, userId: p.userId, role: i % 2 ? "assistant" : "user", parts: [{ type: "text", text: `${title} ${i}` }], createdAt: at, updatedAt: at },
    });
  }
  return id;
}

const exists = async (id: string) => (await t.db.prisma.conversation.count({ where: { id } })) === 1;
const purgeEvents = (orgId: string) =>
  t.db.prisma.auditEvent.findMany({ where: { orgId, action: "retention.purged" }, orderBy: { pos: "asc" }, select: { actorId: true, data: true, targetId: true } });

describe(`retention (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("an admin sets the period; a bad value is refused naming the field, and nothing changes", async () => {
    expect((await getSettings(carol)).retentionDays).toBeNull();
    for (const bad of [-1, 0, 1.5, 1e9, "30" as unknown as number]) {
      const err = await expectAppError(updateSettings(carol, { retentionDays: bad }), "validation_failed");
      expect(err.fields?.map((f) => f.field)).toEqual(["retentionDays"]);
    }
    await expectAppError(updateSettings(alice, { retentionDays: 30 }), "not_found");
    expect((await getSettings(carol)).retentionDays).toBeNull();

    const s = await updateSettings(carol, { retentionDays: 30 }, { requestId: "req-retention" });
    expect(s.retentionDays).toBe(30);
    const changed = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: carol.orgId, action: "org.settings_changed", requestId: "req-retention" } });
    expect(changed.data).toMatchObject({ from: { retentionDays: null }, to: { retentionDays: 30 } });
    expect(await myRetentionPolicy(alice)).toEqual({ days: 30, description: "Your organization deletes conversations 30 days after their last message." });
    expect(await myRetentionPolicy(frank)).toEqual({ days: null, description: describeRetention(null) });
  });

  it("the purge deletes conversations (and their messages and team views) older than the period, and records what it removed; newer ones remain", async () => {
    const now = new Date();
    const aliceOld = await conversationOf(alice, "Alice old", 40, 2, now);
    const aliceNew = await conversationOf(alice, "Alice new", 5, 2, now);
    const aliceEdge = await conversationOf(alice, "Alice just inside", 29.9, 1, now);
    const danOld = await conversationOf(dan, "Dan old", 31, 1, now);
    const frankOld = await conversationOf(frank, "Frank old (Globex keeps everything)", 400, 1, now);
    await t.db.prisma.conversationView.create({
      data: { orgId: bob.orgId, viewerId: bob.userId, ownerId: alice.userId, conversationId: aliceOld, conversationTitle: "Alice old", justification: "review", expiresAt: new Date(now.getTime() + DAY) },
    });
    await t.db.prisma.memory.create({ data: { orgId: alice.orgId, userId: alice.userId, text: "Alice likes tea", sourceConversationId: aliceOld, origin: "user" } });

    const progress: number[] = [];
    const report = await purgeExpiredConversations({ now, onProgress: (o) => progress.push(o.conversations) });

    expect(report.orgs).toEqual([
      expect.objectContaining({ orgId: alice.orgId, retentionDays: 30, conversations: 2, messages: 3, teamViews: 1 }),
    ]);
    expect(progress).toEqual([2]);
    expect(await exists(aliceOld)).toBe(false);
    expect(await exists(danOld)).toBe(false);
    expect(await t.db.prisma.message.count({ where: { conversationId: { in: [aliceOld, danOld] } } })).toBe(0);
    expect(await t.db.prisma.conversationView.count({ where: { conversationId: aliceOld } })).toBe(0);
    for (const id of [aliceNew, aliceEdge, frankOld]) expect(await exists(id)).toBe(true);
    expect(await t.db.prisma.message.count({ where: { conversationId: aliceNew } })).toBe(2);
    // A memory outlives the conversation it came from.
    expect(await t.db.prisma.memory.count({ where: { userId: alice.userId, text: "Alice likes tea" } })).toBe(1);

    const events = await purgeEvents(alice.orgId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: null, targetId: alice.orgId, data: { conversations: 2, messages: 3, teamViews: 1, retentionDays: 30 } });
    expect(await purgeEvents(frank.orgId)).toHaveLength(0);
    await sealAllPendingQuietly();
    expect((await verifyOrgChain(alice.orgId)).ok).toBe(true);

    // Run again: nothing is due, nothing is recorded.
    const again = await purgeExpiredConversations({ now });
    expect(again.conversations).toBe(0);
    expect(await purgeEvents(alice.orgId)).toHaveLength(1);
  });

  it("works in batches, each recorded, until nothing older is left", async () => {
    const now = new Date();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await conversationOf(dan, `Dan batch ${i}`, 60 + i, 1, now));
    const before = (await purgeEvents(dan.orgId)).length;
    const progress: number[] = [];
    const report = await purgeExpiredConversations({ now, batchSize: 2, onProgress: (o) => progress.push(o.conversations) });
    expect(report.conversations).toBe(5);
    expect(progress).toEqual([2, 4, 5]);
    for (const id of ids) expect(await exists(id)).toBe(false);
    const events = (await purgeEvents(dan.orgId)).slice(before);
    expect(events.map((e) => (e.data as { conversations: number }).conversations)).toEqual([2, 2, 1]);
  });

  it("turned back to forever, nothing is purged", async () => {
    const now = new Date();
    await updateSettings(carol, { retentionDays: null });
    const old = await conversationOf(alice, "Alice ancient", 1000, 1, now);
    const report = await purgeExpiredConversations({ now });
    expect(report.orgs).toEqual([]);
    expect(await exists(old)).toBe(true);
    expect((await myRetentionPolicy(alice)).description).toBe("Your organization keeps conversations until you delete them.");
  });
});
