import { openRow, openRows } from "@/lib/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createTestDatabase, seededUser, type TestDatabase } from "./testing";
import { principalFor } from "./test-principals";
import type { Principal } from "@/lib/principal";

let t: TestDatabase;
let alice: Principal;
let bob: Principal; // same org, different user
let frank: Principal; // other org

beforeAll(async () => {
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  bob = principalFor(await seededUser(t.db, "bob@acme.test"));
  frank = principalFor(await seededUser(t.db, "frank@globex.test"));
});
afterAll(async () => t?.dispose());

let seq = 0;
async function aliceConversation(title = "Alice's plans"): Promise<string> {
  const id = `conv-${++seq}-${Date.now()}`;
  const at = new Date();
  const started = await db.for(alice).messages.startTurn({
    conversationId: id,
    title,
    userMessage: { id: `${id}-u`, parts: [{ type: "text", text: "secret plan" }], createdAt: at },
    assistantMessage: { id: `${id}-a`, model: "offline", createdAt: new Date(at.getTime() + 1) },
  });
  expect(started).toEqual({ createdConversation: true, retriedAt: null, history: [] });
  return id;
}

async function rawConversation(id: string) {
  return openRow("Conversation", await t.db.prisma.conversation.findUnique({ where: { id } }));
}

describe(`scoped repositories (${process.env.ENCLAVE_TEST_DB})`, () => {
  let convId: string;
  beforeEach(async () => {
    convId = await aliceConversation();
  });

  it("the owner sees her conversation and its messages", async () => {
    const mine = db.for(alice);
    expect((await mine.conversations.getById(convId))?.title).toBe("Alice's plans");
    const msgs = await mine.messages.listForConversation(convId, { limit: 50 });
    expect(msgs.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "streaming"],
    ]);
    expect((await mine.conversations.list({ limit: 100 })).items.map((c) => c.id)).toContain(convId);
  });

  for (const who of ["bob (same org)", "frank (other org)"] as const) {
    const other = () => (who.startsWith("bob") ? bob : frank);

    it(`${who} cannot read it`, async () => {
      const theirs = db.for(other());
      expect(await theirs.conversations.getById(convId)).toBeNull();
      expect(await theirs.messages.listForConversation(convId, { limit: 50 })).toEqual([]);
      expect((await theirs.conversations.list({ limit: 100 })).items.map((c) => c.id)).not.toContain(convId);
    });

    it(`${who} cannot rename or delete it, and the row is unchanged`, async () => {
      const before = await rawConversation(convId);
      const theirs = db.for(other());
      expect(await theirs.conversations.rename(convId, "pwned")).toBeNull();
      expect(await theirs.conversations.remove(convId)).toBe(false);
      expect(await rawConversation(convId)).toEqual(before);
    });

    it(`${who} cannot finish (overwrite) her assistant message`, async () => {
      const theirs = db.for(other());
      expect(await theirs.messages.finish(`${convId}-a`, { parts: [{ type: "text", text: "x" }], status: "complete" })).toBe(false);
      const row = await openRow("Message", await t.db.prisma.message.findUnique({ where: { conversationId_id: { conversationId: convId, id: `${convId}-a` } } }));
      expect(row?.status).toBe("streaming");
      expect(row?.parts).toEqual([]);
    });

    it(`${who} cannot start a turn in her conversation, not even by replaying her message id`, async () => {
      const theirs = db.for(other());
      const at = new Date();
      for (const messageId of [`${convId}-evil`, `${convId}-u`]) {
        await expect(
          theirs.messages.startTurn({
            conversationId: convId,
            title: "hijack",
            userMessage: { id: messageId, parts: [{ type: "text", text: "hi" }], createdAt: at },
            assistantMessage: { id: `${messageId}-a`, model: "offline", createdAt: at },
            historyLimit: 10,
          }),
        ).rejects.toMatchObject({ code: "not_found" });
      }
      const rows = await openRows("Message", await t.db.prisma.message.findMany({ where: { conversationId: convId } }));
      expect(rows.map((r) => r.userId)).toEqual([alice.userId, alice.userId]);
      expect((await rawConversation(convId))?.title).toBe("Alice's plans");
    });
  }

  it("a principal with a forged org id but another user's id still sees nothing of hers", async () => {
    const forged: Principal = { ...frank, orgId: alice.orgId };
    expect(await db.for(forged).conversations.getById(convId)).toBeNull();
  });

  it("the owner can rename and delete; deleting removes the messages too", async () => {
    const mine = db.for(alice);
    expect((await mine.conversations.rename(convId, "Renamed"))?.title).toBe("Renamed");
    expect(await mine.conversations.remove(convId)).toBe(true);
    expect(await rawConversation(convId)).toBeNull();
    expect(await t.db.prisma.message.count({ where: { conversationId: convId } })).toBe(0);
  });

  it("finish moves a streaming reply to its final state once", async () => {
    const mine = db.for(alice);
    expect(await mine.messages.finish(`${convId}-a`, { parts: [{ type: "text", text: "partial" }], status: "interrupted", outputTokens: 3 })).toBe(true);
    expect(await mine.messages.finish(`${convId}-a`, { parts: [], status: "complete" })).toBe(false);
    const [, reply] = await mine.messages.listForConversation(convId, { limit: 10 });
    expect(reply).toMatchObject({ status: "interrupted", parts: [{ type: "text", text: "partial" }], outputTokens: 3 });
  });

  it("paginates newest first with a stable cursor and rejects a forged cursor", async () => {
    const mine = db.for(bob);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = `page-${i}-${Date.now()}`;
      const at = new Date(Date.now() + i * 1000);
      await mine.messages.startTurn({
        conversationId: id,
        title: `c${i}`,
        userMessage: { id: `${id}-u`, parts: [{ type: "text", text: "hi" }], createdAt: at },
        assistantMessage: { id: `${id}-a`, model: "offline", createdAt: new Date(at.getTime() + 1) },
      });
      ids.push(id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof mine.conversations.list>> = await mine.conversations.list({ limit: 2, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    await expect(mine.conversations.list({ limit: 2, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "bad_request" });
  });

  it("sending a stored message id again is a retry: no duplicate, the old reply is superseded", async () => {
    const mine = db.for(alice);
    const userAt = (await mine.messages.listForConversation(convId, { limit: 10 }))[0]!.createdAt;
    const started = await mine.messages.startTurn({
      conversationId: convId,
      title: "ignored",
      userMessage: { id: `${convId}-u`, parts: [{ type: "text", text: "changed text is ignored" }], createdAt: new Date() },
      assistantMessage: { id: `${convId}-a2`, model: "offline", createdAt: new Date(Date.now() + 5) },
      historyLimit: 10,
    });
    expect(started.createdConversation).toBe(false);
    expect(started.retriedAt?.getTime()).toBe(userAt.getTime());
    // The history is as it was before the retry: the stored message (its text, not the resent
    // one) and the reply the retry supersedes.
    expect(started.history.map((m) => [m.id, m.role])).toEqual([
      [`${convId}-u`, "user"],
      [`${convId}-a`, "assistant"],
    ]);
    expect(started.history[0]!.parts).toEqual([{ type: "text", text: "secret plan" }]);
    expect(started.history[0]!.createdAt.getTime()).toBe(userAt.getTime());
    const msgs = await mine.messages.listForConversation(convId, { limit: 10 });
    expect(msgs.map((m) => m.id)).toEqual([`${convId}-u`, `${convId}-a2`]);
    expect(msgs[0]!.parts).toEqual([{ type: "text", text: "secret plan" }]);
    expect((await rawConversation(convId))?.title).toBe("Alice's plans");
  });

  it("a second turn in an existing conversation is not a new conversation and keeps its title", async () => {
    const mine = db.for(alice);
    const started = await mine.messages.startTurn({
      conversationId: convId,
      title: "would-be title",
      userMessage: { id: `${convId}-u2`, parts: [{ type: "text", text: "more" }], createdAt: new Date(Date.now() + 10) },
      assistantMessage: { id: `${convId}-a3`, model: "offline", createdAt: new Date(Date.now() + 11) },
      historyLimit: 1,
    });
    // Only the latest earlier message (the limit is 1), never this turn's own rows.
    expect(started).toMatchObject({ createdConversation: false, retriedAt: null });
    expect(started.history.map((m) => [m.id, m.status, m.model])).toEqual([[`${convId}-a`, "streaming", "offline"]]);
    expect((await rawConversation(convId))?.title).toBe("Alice's plans");
    expect((await mine.messages.listForConversation(convId, { limit: 10 })).map((m) => m.id)).toEqual([
      `${convId}-u`,
      `${convId}-a`,
      `${convId}-u2`,
      `${convId}-a3`,
    ]);
  });

  it("message ids are unique per conversation: an id used in another conversation is a new message here, the other untouched", async () => {
    const mine = db.for(alice);
    const other = await aliceConversation("other");
    const before = await t.db.prisma.message.findMany({ where: { conversationId: other } });
    await mine.messages.startTurn({
      conversationId: convId,
      title: "x",
      userMessage: { id: `${other}-u`, parts: [{ type: "text", text: "dup" }], createdAt: new Date() },
      assistantMessage: { id: `${convId}-dup-a`, model: "offline", createdAt: new Date() },
    });
    expect(await t.db.prisma.message.count({ where: { id: `${other}-u` } })).toBe(2);
    expect(await t.db.prisma.message.findMany({ where: { conversationId: other } })).toEqual(before);
  });
});
