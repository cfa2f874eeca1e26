import { expect, test, USERS } from "../fixtures/auth";
import { expectRefusedAndUnchanged, jsonOf } from "../fixtures/unauthorized";

/**
 * API keys: another user (same team, same org, another org) cannot list, revoke or use alice's
 * key's records; the key and alice's list are unchanged afterwards. A key used against another
 * user's conversation through the OpenAI-compatible API gets 404 in OpenAI's error format.
 */
test("alice's API keys are hers alone", async ({ sessionFor, request }) => {
  const alice = await sessionFor(USERS.alice.email);
  const created = await alice.page.request.post("/api/keys", { data: { name: `probe ${crypto.randomUUID().slice(0, 6)}`, scopes: ["chat"] } });
  expect(created.status()).toBe(201);
  const key = (await created.json()) as { id: string; key: string; prefix: string };
  const snapshot = async () => jsonOf(await alice.page.request.get("/api/keys"));

  for (const email of [USERS.bob.email, USERS.dan.email, USERS.frank.email]) {
    const intruder = (await sessionFor(email)).page.request;
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.delete(`/api/keys/${key.id}`) });
    const theirs = (await jsonOf(await intruder.get("/api/keys"))) as { items: Array<{ id: string; prefix: string }> };
    expect(theirs.items.map((k) => k.id)).not.toContain(key.id);
  }

  // The key still works, as alice.
  const me = await request.get("/api/me", { headers: { authorization: `Bearer ${key.key}` } });
  expect(((await me.json()) as { email: string }).email).toBe(USERS.alice.email);

  // Through the OpenAI-compatible API, her key cannot reach frank's conversation.
  const frank = await sessionFor(USERS.frank.email);
  await frank.sendAndWaitForReply(`frank's own ${crypto.randomUUID().slice(0, 6)}`);
  const frankConversation = frank.conversationId();
  const before = await jsonOf(await frank.page.request.get(`/api/conversations/${frankConversation}/messages`));
  const res = await request.post("/api/v1/chat/completions", {
    headers: { authorization: `Bearer ${key.key}`, "x-enclave-conversation-id": frankConversation },
    data: { model: "enclave", messages: [{ role: "user", content: "let me in" }] },
  });
  expect(res.status()).toBe(404);
  const body = (await res.json()) as { error: { type: string; message: string } };
  expect(body.error.type).toBeTruthy();
  expect(await jsonOf(await frank.page.request.get(`/api/conversations/${frankConversation}/messages`))).toEqual(before);
});

/**
 * Reading is not writing: a `read` key reads alice's conversation but may neither rename nor
 * delete it (403, the scope does not hold conversation.write.own), and the conversation is
 * unchanged afterwards. Her browser session still can.
 */
test("a read-only key cannot rename or delete its owner's conversation", async ({ sessionFor, request }) => {
  const alice = await sessionFor(USERS.alice.email);
  await alice.sendAndWaitForReply(`Read-only probe ${crypto.randomUUID().slice(0, 8)}`);
  const id = alice.conversationId();
  const created = await alice.page.request.post("/api/keys", { data: { name: `reader ${crypto.randomUUID().slice(0, 6)}`, scopes: ["read"] } });
  expect(created.status()).toBe(201);
  const { key } = (await created.json()) as { key: string };
  const headers = { authorization: `Bearer ${key}` };
  const snapshot = async () => ({
    conversation: await jsonOf(await alice.page.request.get(`/api/conversations/${id}`)),
    messages: await jsonOf(await alice.page.request.get(`/api/conversations/${id}/messages`)),
  });

  // The key reads it…
  expect(((await jsonOf(await request.get(`/api/conversations/${id}`, { headers }))) as { id: string }).id).toBe(id);
  // …but cannot change it.
  const refused = { status: 403, code: "forbidden" };
  await expectRefusedAndUnchanged({ snapshot, ...refused, attempt: () => request.patch(`/api/conversations/${id}`, { headers, data: { title: "renamed by a read key" } }) });
  await expectRefusedAndUnchanged({ snapshot, ...refused, attempt: () => request.delete(`/api/conversations/${id}`, { headers }) });

  // The owner's session can: writing is hers, not the key's.
  const renamed = await alice.page.request.patch(`/api/conversations/${id}`, { data: { title: "Renamed by alice" } });
  expect(((await jsonOf(renamed)) as { title: string }).title).toBe("Renamed by alice");
});
