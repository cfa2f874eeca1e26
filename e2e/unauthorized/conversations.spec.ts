import { chatRequest } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { expectRefusedAndUnchanged, jsonOf } from "../fixtures/unauthorized";

/**
 * Conversations and their messages: another user in the same team, the same org (even her
 * manager, whose only door is the justified view), or another org gets 404 on every API door,
 * and alice's conversation is unchanged afterwards.
 */
test("another user, team or org cannot read, change, delete or post into alice's conversation", async ({ sessionFor }) => {
  const alice = await sessionFor(USERS.alice.email);
  await alice.sendAndWaitForReply(`Unauthorized probe ${crypto.randomUUID().slice(0, 8)}`);
  const id = alice.conversationId();
  const snapshot = async () => ({
    conversation: await jsonOf(await alice.page.request.get(`/api/conversations/${id}`)),
    messages: await jsonOf(await alice.page.request.get(`/api/conversations/${id}/messages`)),
  });

  for (const email of [USERS.bob.email, USERS.dan.email, USERS.frank.email, USERS.erin.email]) {
    const intruder = (await sessionFor(email)).page.request;
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.get(`/api/conversations/${id}`) });
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.get(`/api/conversations/${id}/messages`) });
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.patch(`/api/conversations/${id}`, { data: { title: "pwned" } }) });
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.delete(`/api/conversations/${id}`) });
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.post("/api/chat", { data: chatRequest(id, "let me in") }) });
    const list = (await jsonOf(await intruder.get("/api/conversations?limit=100"))) as { items: Array<{ id: string }> };
    expect(list.items.map((c) => c.id)).not.toContain(id);
  }
});

test("a body naming someone else's org or user changes nothing", async ({ sessionFor }) => {
  const alice = await sessionFor(USERS.alice.email);
  await alice.sendAndWaitForReply(`Tamper probe ${crypto.randomUUID().slice(0, 8)}`);
  const id = alice.conversationId();
  const frank = await sessionFor(USERS.frank.email);
  const aliceMe = (await jsonOf(await alice.page.request.get("/api/me"))) as { id: string; org: { id: string } };
  // frank renames his own conversation while claiming alice's org and user id: only his changes.
  await frank.sendAndWaitForReply(`Frank's own ${crypto.randomUUID().slice(0, 8)}`);
  const frankConv = frank.conversationId();
  const res = await frank.page.request.patch(`/api/conversations/${frankConv}`, {
    data: { title: "Renamed by frank", orgId: aliceMe.org.id, userId: aliceMe.id },
  });
  expect(res.status()).toBe(200);
  const mine = (await jsonOf(await alice.page.request.get(`/api/conversations/${id}`))) as { title: string };
  expect(mine.title).not.toBe("Renamed by frank");
  const chat = await frank.page.request.post("/api/chat", {
    data: { ...chatRequest(id, "posting into alice's id with her org"), orgId: aliceMe.org.id, userId: aliceMe.id },
  });
  expect(chat.status()).toBe(404);
});
