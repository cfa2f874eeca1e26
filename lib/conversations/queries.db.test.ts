import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@/lib/audit-record/canonical";
import { forgetAuditContentPolicy } from "@/lib/db/audit";
import { createTestDatabase, seededUser, type TestDatabase, openRow, openRows } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { expectAppError } from "@/lib/admin/test-helpers";
import type { Principal } from "@/lib/principal";
import { deleteConversation, getConversation, renameConversation } from "./queries";

/**
 * Renaming and deleting a conversation are writes: they need `conversation.write.own` (a `read`
 * API key does not have it) and each is an audit event written in the same transaction.
 */
let t: TestDatabase;
let alice: Principal;
let aliceReadKey: Principal;
let aliceChatKey: Principal;
let dan: Principal;

async function conversation(owner: Principal, title = "Quarterly plan"): Promise<string> {
  const id = randomUUID();
  await t.db.prisma.conversation.create({ data: { id, orgId: owner.orgId, userId: owner.userId, title } });
  await t.db.prisma.message.create({
    data: { id: randomUUID(), conversationId: id, orgId: owner.orgId, userId: owner.userId, role: "user", parts: [{ type: "text", text: "hi" }] },
  });
  return id;
}
const row = async (id: string) => openRow("Conversation", await t.db.prisma.conversation.findUnique({ where: { id }, include: { _count: { select: { messages: true } } } }));
const events = async (id: string) => openRows("AuditEvent", await t.db.prisma.auditEvent.findMany({ where: { targetType: "conversation", targetId: id }, orderBy: { createdAt: "asc" } }));

beforeAll(async () => {
  t = await createTestDatabase();
  const a = await seededUser(t.db, "alice@acme.test");
  alice = principalFor(a, { sessionId: "alice-session" });
  aliceReadKey = principalFor(a, { sessionId: "key:read", apiKeyScopes: ["read"] });
  aliceChatKey = principalFor(a, { sessionId: "key:chat", apiKeyScopes: ["chat"] });
  dan = principalFor(await seededUser(t.db, "dan@acme.test"));
});
afterAll(async () => t?.dispose());

describe(`conversation writes (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("a read key may read a conversation but neither rename nor delete it (403); the row and the trail are unchanged", async () => {
    const id = await conversation(alice);
    expect((await getConversation(aliceReadKey, id)).title).toBe("Quarterly plan");
    const before = await row(id);
    await expectAppError(renameConversation(aliceReadKey, id, "pwned"), "forbidden", /conversation\.write\.own/);
    await expectAppError(deleteConversation(aliceReadKey, id), "forbidden", /conversation\.write\.own/);
    expect(await row(id)).toEqual(before);
    expect(await events(id)).toEqual([]);
  });

  it("rename is audited in the same transaction: hashes always, the titles as the content policy allows, never in data", async () => {
    const id = await conversation(alice, "Plan for bob@example.com");
    const renamed = await renameConversation(alice, id, "Plan for carol@example.com", { requestId: "req-rename" });
    expect(renamed.title).toBe("Plan for carol@example.com");
    const [e, ...more] = await events(id);
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      action: "conversation.renamed",
      actorId: alice.userId,
      sessionId: "alice-session",
      requestId: "req-rename",
      inputHash: sha256("Plan for bob@example.com"),
      outputHash: sha256("Plan for carol@example.com"),
      // The org's default policy is "redacted".
      content: { from: "Plan for [email]", to: "Plan for [email]" },
      data: { via: "session" },
    });
    expect(JSON.stringify(e!.data)).not.toContain("Plan");
    // The same title again changes nothing and records nothing.
    await renameConversation(alice, id, "Plan for carol@example.com");
    expect(await events(id)).toHaveLength(1);
    // A chat key may rename (it holds conversation.write.own); its event says so.
    await renameConversation(aliceChatKey, id, "Through the API");
    expect((await events(id))[1]).toMatchObject({ sessionId: "key:chat", data: { via: "apikey" } });
  });

  it("under the 'hashes' policy the event keeps no title text", async () => {
    await t.db.prisma.org.update({ where: { id: alice.orgId }, data: { auditContent: "hashes" } });
    forgetAuditContentPolicy(alice.orgId);
    try {
      const id = await conversation(alice, "Secret project");
      await renameConversation(alice, id, "Other name");
      await deleteConversation(alice, id);
      const list = await events(id);
      expect(list.map((e) => e.action)).toEqual(["conversation.renamed", "conversation.deleted"]);
      for (const e of list) {
        expect(e.content).toBeNull();
        expect(JSON.stringify({ content: e.content, data: e.data })).not.toMatch(/Secret project|Other name/);
      }
    } finally {
      await t.db.prisma.org.update({ where: { id: alice.orgId }, data: { auditContent: "redacted" } });
      forgetAuditContentPolicy(alice.orgId);
    }
  });

  it("delete is audited in the same transaction, with how many messages went with it", async () => {
    const id = await conversation(alice);
    await deleteConversation(alice, id, { requestId: "req-delete" });
    expect(await row(id)).toBeNull();
    expect(await t.db.prisma.message.count({ where: { conversationId: id } })).toBe(0);
    const [e, ...more] = await events(id);
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      action: "conversation.deleted",
      actorId: alice.userId,
      requestId: "req-delete",
      inputHash: sha256("Quarterly plan"),
      content: { title: "Quarterly plan" },
      data: { via: "session", messages: 1 },
    });
    // Gone is gone: deleting again is not found and records nothing more.
    await expectAppError(deleteConversation(alice, id), "not_found");
    expect(await events(id)).toHaveLength(1);
  });

  it("someone else's conversation is not found, unchanged, and nothing is recorded", async () => {
    const id = await conversation(alice);
    const before = await row(id);
    await expectAppError(renameConversation(dan, id, "pwned"), "not_found");
    await expectAppError(deleteConversation(dan, id), "not_found");
    expect(await row(id)).toEqual(before);
    expect(await events(id)).toEqual([]);
  });

  it("if the audit event cannot be written, the rename and the delete do not happen either", async () => {
    const id = await conversation(alice);
    const before = await row(id);
    await t.db.withSql((sql) =>
      sql.exec(
        `ALTER TABLE "AuditEvent" ADD CONSTRAINT "test_refuse_conversation_writes" CHECK ("action" NOT IN ('conversation.renamed', 'conversation.deleted')) NOT VALID`,
      ),
    );
    try {
      await expect(renameConversation(alice, id, "Renamed")).rejects.toThrow();
      await expect(deleteConversation(alice, id)).rejects.toThrow();
      expect(await row(id)).toEqual(before);
    } finally {
      await t.db.withSql((sql) => sql.exec(`ALTER TABLE "AuditEvent" DROP CONSTRAINT "test_refuse_conversation_writes"`));
    }
  });
});
