import OpenAI, { AuthenticationError, NotFoundError, PermissionDeniedError } from "openai";
import { expect, test, USERS } from "../fixtures/auth";
import { KeysPage } from "../fixtures/pages/keys-page";
import { URLS } from "../fixtures/servers";

/**
 * The OpenAI-compatible API, driven by the official `openai` npm client with a personal key
 * created through the UI: models, streamed and non-streamed completions (one turn each, stored
 * and shown in the sidebar like any other conversation), revocation, scopes, bad keys.
 */

const BASE_URL = `${URLS.offline}/api/v1`;
const tag = () => crypto.randomUUID().slice(0, 8);
const client = (apiKey: string) => new OpenAI({ baseURL: BASE_URL, apiKey, maxRetries: 0, timeout: 30_000 });

test.describe("OpenAI-compatible API with the official client", () => {
  test("a key made in the UI chats through the openai client; the chats show in the sidebar; revoking stops it", async ({
    signInAs,
    page,
  }) => {
    const chat = await signInAs(USERS.alice.email);
    const keys = new KeysPage(page);
    await keys.goto();
    const name = `openai client ${tag()}`;
    const { key } = await keys.create(name, { scopes: ["chat"] });
    const openai = client(key);

    // Models: the default assistant.
    const models = [];
    for await (const m of openai.models.list()) models.push(m);
    expect(models.map((m) => m.id)).toContain("enclave");
    expect(models.find((m) => m.id === "enclave")).toMatchObject({ object: "model", owned_by: "enclave" });

    // Streaming, with usage.
    const streamedTitle = `Streamed hello ${tag()}`;
    const stream = await openai.chat.completions.create({
      model: "enclave",
      messages: [{ role: "user", content: streamedTitle }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
    });
    let text = "";
    let deltas = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    let firstRole: string | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.model).toBe("enclave");
      const c = chunk.choices[0];
      if (c) {
        firstRole ??= c.delta.role;
        if (c.delta.content) {
          text += c.delta.content;
          deltas++;
        }
        if (c.finish_reason) finish = c.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(firstRole).toBe("assistant");
    expect(deltas).toBeGreaterThan(3);
    expect(text).toMatch(/offline model/i);
    expect(finish).toBe("stop");
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens);

    // Non-streaming; the response header names the new conversation.
    const plainTitle = `Plain hello ${tag()}`;
    const { data: completion, response } = await openai.chat.completions
      .create({ model: "enclave", messages: [{ role: "system", content: "ignored" }, { role: "user", content: plainTitle }] })
      .withResponse();
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices[0]?.message.role).toBe("assistant");
    expect(completion.choices[0]?.message.content).toMatch(/offline model/i);
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    const conversationId = response.headers.get("x-enclave-conversation-id");
    expect(conversationId).toBeTruthy();

    // Continuing that conversation: the header names it; earlier messages are not replayed.
    const followUp = await openai.chat.completions
      .create(
        { model: "enclave", messages: [{ role: "user", content: "And a follow-up" }] },
        { headers: { "x-enclave-conversation-id": conversationId! } },
      )
      .withResponse();
    expect(followUp.response.headers.get("x-enclave-conversation-id")).toBe(conversationId);
    const messages = (await (await page.request.get(`/api/conversations/${conversationId}/messages`)).json()) as {
      items: Array<{ role: string; metadata?: { status?: string } }>;
    };
    expect(messages.items.map((m) => [m.role, m.metadata?.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
      ["user", "complete"],
      ["assistant", "complete"],
    ]);

    // Unknown models and someone else's (or no) conversation: OpenAI-style 404s.
    const missingModel = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(missingModel).toBeInstanceOf(NotFoundError);
    expect((missingModel as NotFoundError).code).toBe("model_not_found");
    const missingConversation = await openai.chat.completions
      .create({ model: "enclave", messages: [{ role: "user", content: "x" }] }, { headers: { "x-enclave-conversation-id": crypto.randomUUID() } })
      .catch((e: unknown) => e);
    expect(missingConversation).toBeInstanceOf(NotFoundError);

    // Both conversations are in alice's sidebar, like any other.
    await chat.gotoNew();
    await expect(chat.sidebar.conversation(streamedTitle)).toBeVisible();
    await expect(chat.sidebar.conversation(plainTitle)).toBeVisible();
    await chat.sidebar.conversation(plainTitle).click();
    await expect(chat.messages).toHaveCount(4);
    await expect(chat.userMessages.first()).toHaveText(plainTitle);

    // Revoked in the UI: the client is refused at once.
    await keys.goto();
    await keys.revoke(name);
    const refused = await openai.models.list().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect((refused as AuthenticationError).status).toBe(401);
    expect((refused as AuthenticationError).code).toBe("invalid_api_key");
    const refusedChat = await openai.chat.completions.create({ model: "enclave", messages: [{ role: "user", content: "still there?" }] }).catch((e: unknown) => e);
    expect(refusedChat).toBeInstanceOf(AuthenticationError);
  });

  test("a read-only key may read conversations but not chat (403); a garbage key gets 401", async ({ signInAs, page, request }) => {
    await signInAs(USERS.alice.email);
    const keys = new KeysPage(page);
    await keys.goto();
    const { key } = await keys.create(`read only ${tag()}`, { scopes: ["read"] });

    const denied = await client(key)
      .chat.completions.create({ model: "enclave", messages: [{ role: "user", content: "may I?" }] })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect((denied as PermissionDeniedError).status).toBe(403);
    expect((denied as PermissionDeniedError).message).toMatch(/scopes do not allow chat\.send/);

    const list = await request.get("/api/conversations", { headers: { authorization: `Bearer ${key}` } });
    expect(list.status()).toBe(200);
    expect(Array.isArray(((await list.json()) as { items: unknown[] }).items)).toBe(true);

    for (const garbage of ["garbage", `enc_abcdefgh_${"A".repeat(43)}`]) {
      const refused = await client(garbage).models.list().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AuthenticationError);
      expect((refused as AuthenticationError).code).toBe("invalid_api_key");
    }
    // No key at all: 401 in OpenAI's envelope too.
    const anonymous = await request.get("/api/v1/models");
    expect(anonymous.status()).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: "invalid_request_error", code: "missing_api_key" } });
  });

  test("a client that disconnects mid-stream leaves the reply stored as interrupted", async ({ signInAs, page }) => {
    await signInAs(USERS.alice.email);
    const keys = new KeysPage(page);
    await keys.goto();
    const { key } = await keys.create(`disconnect ${tag()}`, { scopes: ["chat"] });
    const controller = new AbortController();
    const { data: stream, response } = await client(key)
      .chat.completions.create(
        { model: "enclave", messages: [{ role: "user", content: `Tell me a long story ${tag()}` }], stream: true },
        { signal: controller.signal },
      )
      .withResponse();
    const conversationId = response.headers.get("x-enclave-conversation-id");
    let seen = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) seen++;
        if (seen >= 3) controller.abort();
      }
    } catch {
      /* aborted */
    }
    await expect
      .poll(async () => {
        const res = await page.request.get(`/api/conversations/${conversationId}/messages`);
        const { items } = (await res.json()) as { items: Array<{ metadata?: { status?: string } }> };
        return items.at(-1)?.metadata?.status;
      })
      .toBe("interrupted");
  });
});
