import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, openRow } from "@/lib/db/testing";
import { signedIn } from "@/lib/db/test-sessions";
import { runChatTurn } from "@/lib/chat/turn";
import type { Principal } from "@/lib/principal";
import {
  listConversationsOf,
  listViewablePeople,
  openWithJustification,
  OpenViewInput,
  readView,
  viewsOfMyConversations,
} from "./team-view";

let t: TestDatabase;
let alice: Principal, bob: Principal, carol: Principal, dan: Principal, ivan: Principal, frank: Principal, erin: Principal;
let aliceConv: string, danConv: string, frankConv: string;
const WHY = "Customer complaint #4821 about the quote sent on 12 Nov";

async function converse(p: Principal, text: string): Promise<string> {
  const id = `tv-${p.email.split("@")[0]}-${Math.random().toString(36).slice(2, 8)}`;
  const turn = await runChatTurn(p, { id, message: { id: `${id}-m`, role: "user", parts: [{ type: "text", text }] } }, { requestId: "t" });
  const reader = turn.chunks().getReader();
  while (!(await reader.read()).done) {
    /* drain */
  }
  await turn.done;
  return id;
}

beforeAll(async () => {
  process.env.OFFLINE_MODEL_DELAY_MS = "0";
  t = await createTestDatabase();
  alice = await signedIn(t.db, "alice@acme.test");
  bob = await signedIn(t.db, "bob@acme.test");
  carol = await signedIn(t.db, "carol@acme.test");
  dan = await signedIn(t.db, "dan@acme.test");
  ivan = await signedIn(t.db, "ivan@acme.test");
  frank = await signedIn(t.db, "frank@globex.test");
  erin = await signedIn(t.db, "erin@globex.test");
  aliceConv = await converse(alice, "Quote for Initech: 40 seats at a discount");
  danConv = await converse(dan, "Support ticket triage notes");
  frankConv = await converse(frank, "Globex internal plans");
});
afterAll(async () => t?.dispose());

const views = () => t.db.prisma.conversationView.count();
const audits = (action: string) => t.db.prisma.auditEvent.count({ where: { action } });

describe(`justified conversation views (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("a manager sees the people of the teams they manage, and only metadata of their conversations", async () => {
    expect(bob.managedTeamIds).toHaveLength(1);
    const { scope, people } = await listViewablePeople(bob);
    expect(scope).toBe("teams");
    expect(people.map((u) => u.email)).toEqual(["alice@acme.test"]);
    const { conversations } = await listConversationsOf(bob, alice.userId);
    expect(conversations.map((c) => c.id)).toContain(aliceConv);
    expect(JSON.stringify(conversations)).not.toContain("Initech");
  });

  it("a manager who gives a reason can read a team member's conversation; it is recorded and audited", async () => {
    const [v0, a0] = [await views(), await audits("conversation.viewed")];
    const { viewId } = await openWithJustification(bob, { ownerId: alice.userId, conversationId: aliceConv, justification: WHY });
    const read = await readView(bob, viewId);
    expect(read.owner.email).toBe("alice@acme.test");
    expect(JSON.stringify(read.messages)).toContain("Initech");
    expect(await views()).toBe(v0 + 1);
    expect(await audits("conversation.viewed")).toBe(a0 + 1);
    const audit = await openRow("AuditEvent", await t.db.prisma.auditEvent.findFirst({ where: { action: "conversation.viewed" }, orderBy: { createdAt: "desc" } }));
    expect(audit).toMatchObject({ actorId: bob.userId, targetType: "conversation", targetId: aliceConv, orgId: alice.orgId });
    expect(audit?.data).toMatchObject({ ownerId: alice.userId });
    // What the viewer wrote is content (sealed at rest, shown to holders of audit.read.content), not metadata.
    expect(audit?.content).toEqual({ justification: WHY });
    expect(JSON.stringify(audit?.data)).not.toContain(WHY);
  });

  it("the owner sees who looked, at what, and why", async () => {
    const mine = await viewsOfMyConversations(alice);
    expect(mine[0]).toMatchObject({ viewer: { email: "bob@acme.test" }, conversationId: aliceConv, justification: WHY });
    expect(mine[0]!.conversationTitle).toMatch(/Initech/);
    expect(await viewsOfMyConversations(dan)).toEqual([]);
  });

  it("a manager cannot open a conversation of someone outside their teams, or another org; nothing is recorded", async () => {
    const v0 = await views();
    for (const [ownerId, conversationId] of [
      [dan.userId, danConv],
      [frank.userId, frankConv],
      [alice.userId, danConv], // a forged pairing: dan's conversation under alice's id
    ] as const) {
      await expect(openWithJustification(bob, { ownerId, conversationId, justification: WHY })).rejects.toMatchObject({ code: "not_found" });
    }
    await expect(listConversationsOf(bob, dan.userId)).rejects.toMatchObject({ code: "not_found" });
    await expect(listConversationsOf(bob, frank.userId)).rejects.toMatchObject({ code: "not_found" });
    expect(await views()).toBe(v0);
  });

  it("an admin takes the same justified path, org-wide but never across orgs", async () => {
    const { people } = await listViewablePeople(carol);
    expect(people.map((u) => u.email)).toEqual(expect.arrayContaining(["alice@acme.test", "dan@acme.test", "bob@acme.test"]));
    expect(people.map((u) => u.email)).not.toContain("frank@globex.test");
    const { viewId } = await openWithJustification(carol, { ownerId: dan.userId, conversationId: danConv, justification: WHY });
    expect((await readView(carol, viewId)).owner.email).toBe("dan@acme.test");
    await expect(openWithJustification(erin, { ownerId: dan.userId, conversationId: danConv, justification: WHY })).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("members and auditors have no such door at all", async () => {
    for (const p of [alice, dan, ivan, frank]) {
      await expect(listViewablePeople(p)).rejects.toMatchObject({ code: "not_found" });
      await expect(openWithJustification(p, { ownerId: alice.userId, conversationId: aliceConv, justification: WHY })).rejects.toMatchObject({
        code: "not_found",
      });
    }
  });

  it("a view belongs to its viewer, expires, and ends when the manager no longer manages the team", async () => {
    const { viewId } = await openWithJustification(bob, { ownerId: alice.userId, conversationId: aliceConv, justification: WHY });
    await expect(readView(carol, viewId)).rejects.toMatchObject({ code: "not_found" });
    const { teamViewRepository } = await import("@/lib/db/repositories/team-view");
    const scope = { kind: "teams" as const, teamIds: bob.managedTeamIds };
    expect(await teamViewRepository(bob).readView(scope, viewId, new Date(Date.now() + 31 * 60_000))).toBeNull();
    expect(await teamViewRepository(bob).readView({ kind: "teams", teamIds: ["another-team"] }, viewId)).toBeNull();
  });

  it("requires a real reason", () => {
    const r = OpenViewInput.safeParse({ ownerId: "u", conversationId: "c", justification: "because" });
    expect(r.success).toBe(false);
  });

  it("the record outlives the conversation: deleting it keeps the owner's view history", async () => {
    const id = await converse(alice, "Temporary draft about the Q3 bonus pool");
    await openWithJustification(bob, { ownerId: alice.userId, conversationId: id, justification: WHY });
    await t.db.prisma.conversation.delete({ where: { id } });
    const mine = await viewsOfMyConversations(alice);
    expect(mine.find((v) => v.conversationId === id)?.conversationTitle).toMatch(/Q3 bonus/);
  });
});
