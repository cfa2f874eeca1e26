import { chatRequest, expectApiError, type ConversationDto, type MessageDto } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import type { ChatPage } from "../fixtures/pages/chat-page";

/**
 * Conversations are private to their owner: not visible to someone in another org (frank), nor to
 * a colleague in the same org (dan), through the UI or the API; trying to read, change or post
 * into someone else's conversation answers 404, exactly like a conversation that does not exist.
 */

const tag = () => crypto.randomUUID().slice(0, 8);

async function listIds(chat: ChatPage): Promise<string[]> {
  const res = await chat.page.request.get("/api/conversations?limit=100");
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: ConversationDto[] }).items.map((c) => c.id);
}

test.describe("isolation between users", () => {
  test("users never see, read, change or post into each other's conversations", async ({ sessionFor }) => {
    const id = tag();
    const alice = await sessionFor(USERS.alice.email);
    const frank = await sessionFor(USERS.frank.email);
    const dan = await sessionFor(USERS.dan.email);
    await expect(frank.currentOrg).toContainText("Globex");
    await expect(dan.currentOrg).toContainText("Acme");

    const titles = { alice: `Alice private plans ${id}`, frank: `Frank private notes ${id}`, dan: `Dan private ticket ${id}` };
    const aliceId = await alice.sendAndWaitForReply(titles.alice);
    const frankId = await frank.sendAndWaitForReply(titles.frank);
    const danId = await dan.sendAndWaitForReply(titles.dan);

    // What alice's conversation looks like before anyone else touches it.
    const conversationBefore = (await (await alice.page.request.get(`/api/conversations/${aliceId}`)).json()) as ConversationDto;
    const messagesBefore = (await (await alice.page.request.get(`/api/conversations/${aliceId}/messages`)).json()) as { items: MessageDto[] };
    expect(conversationBefore.title).toBe(titles.alice);
    expect(messagesBefore.items.map((m) => m.role)).toEqual(["user", "assistant"]);

    // Sidebars (fresh from the server) and lists show only one's own conversations.
    const sessions = [
      { chat: alice, own: "alice", ownId: aliceId },
      { chat: frank, own: "frank", ownId: frankId },
      { chat: dan, own: "dan", ownId: danId },
    ] as const;
    for (const { chat, own, ownId } of sessions) {
      await chat.reload();
      await expect(chat.sidebar.conversation(titles[own])).toBeVisible();
      for (const other of ["alice", "frank", "dan"] as const) {
        if (other !== own) await expect(chat.sidebar.conversation(titles[other])).toHaveCount(0);
      }
      const ids = await listIds(chat);
      expect(ids).toContain(ownId);
      for (const otherId of [aliceId, frankId, danId].filter((x) => x !== ownId)) expect(ids).not.toContain(otherId);
    }

    // Someone else's conversation page is simply not found, in another org and in the same one.
    for (const intruder of [frank, dan]) {
      const response = await intruder.page.goto(`/chat/${aliceId}`);
      expect(response?.status()).toBe(404);
      await expect(intruder.page.getByRole("heading", { name: "Not found" })).toBeVisible();
      await expect(intruder.page.getByText(titles.alice)).toHaveCount(0);
      await expect(intruder.messages).toHaveCount(0);
    }

    // Every API door answers 404, never 403: the answer must not reveal that the id exists.
    for (const intruder of [frank, dan]) {
      const api = intruder.page.request;
      await expectApiError(await api.get(`/api/conversations/${aliceId}`), 404, "not_found");
      await expectApiError(await api.get(`/api/conversations/${aliceId}/messages`), 404, "not_found");
      await expectApiError(await api.patch(`/api/conversations/${aliceId}`, { data: { title: "Hijacked" } }), 404, "not_found");
      await expectApiError(await api.delete(`/api/conversations/${aliceId}`), 404, "not_found");
      await expectApiError(await api.post("/api/chat", { data: chatRequest(aliceId, "Let me in") }), 404, "not_found");
    }

    // Alice's conversation is exactly as it was.
    const conversationAfter = (await (await alice.page.request.get(`/api/conversations/${aliceId}`)).json()) as ConversationDto;
    const messagesAfter = (await (await alice.page.request.get(`/api/conversations/${aliceId}/messages`)).json()) as { items: MessageDto[] };
    expect(conversationAfter).toEqual(conversationBefore);
    expect(messagesAfter).toEqual(messagesBefore);

    await alice.goto(aliceId);
    await expect(alice.sidebar.conversation(titles.alice)).toBeVisible();
    await expect(alice.messages).toHaveCount(2);
    await expect(alice.lastUser).toHaveText(titles.alice);
    await expect(alice.page.getByText("Let me in")).toHaveCount(0);
    await expect(alice.page.getByText("Hijacked")).toHaveCount(0);

    // Neither intruder ended up with a conversation of their own under alice's id.
    expect(await listIds(frank)).not.toContain(aliceId);
    expect(await listIds(dan)).not.toContain(aliceId);
  });

  test("API calls without a session get 401 JSON", async ({ request }) => {
    const someId = crypto.randomUUID();
    await expectApiError(await request.get("/api/me"), 401, "unauthorized");
    await expectApiError(await request.get("/api/conversations"), 401, "unauthorized");
    await expectApiError(await request.get(`/api/conversations/${someId}`), 401, "unauthorized");
    await expectApiError(await request.get(`/api/conversations/${someId}/messages`), 401, "unauthorized");
    await expectApiError(await request.patch(`/api/conversations/${someId}`, { data: { title: "x" } }), 401, "unauthorized");
    await expectApiError(await request.delete(`/api/conversations/${someId}`), 401, "unauthorized");
    await expectApiError(await request.post("/api/chat", { data: chatRequest(someId, "hello") }), 401, "unauthorized");

    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
  });

  test("pages without a session send you to sign in", async ({ page }) => {
    await page.goto(`/chat/${crypto.randomUUID()}`);
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole("heading", { name: "Sign in to Enclave" })).toBeVisible();
  });
});
