import { expectApiError, type ConversationDto } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { CONVERSATION_URL, expectStreamed } from "../fixtures/pages/chat-page";

/**
 * The chat experience on an installation with no AI provider: the built-in offline model
 * answers (deterministically, quoting the user), streamed at OFFLINE_MODEL_DELAY_MS per word.
 */

const OFFLINE_NOTE = "built-in offline model";
/** The offline reply's last sentence: present only when the whole reply arrived. */
const OFFLINE_HINT = "An admin can connect a real model";

const tag = () => crypto.randomUUID().slice(0, 8);

test.describe("offline chat", () => {
  test("streams a reply from the offline model and keeps the conversation across a reload", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    await expect(page).toHaveURL(/\/chat$/);
    await chat.expectReady();
    await expect(chat.currentUser).toHaveText(USERS.alice.name);
    await expect(chat.modelBadge).toHaveText("Offline model");

    // The first line is the title; the offline model quotes all ~25 words, so the reply streams
    // for over a second.
    const title = `Hello offline model ${tag()}`;
    const text = `${title}\nplease show me how a reply streams in word by word while I watch it grow on the screen in front of me`;
    await chat.startRecordingReplies();
    await chat.send(text);
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.composer).toHaveValue("");
    await chat.expectLastReplyStatus("complete");
    expectStreamed(await chat.recordedReplySamples(), "complete");

    const reply = chat.lastAssistant;
    await expect(reply).toContainText(OFFLINE_NOTE);
    await expect(reply).toContainText(text); // the offline model quotes the message
    await expect(reply).toContainText(OFFLINE_HINT);
    const replyText = (await reply.textContent()) ?? "";
    expect(replyText).toContain(OFFLINE_NOTE);

    await expect(page).toHaveURL(CONVERSATION_URL);
    const id = chat.conversationId();
    await expect(chat.sidebar.conversation(title)).toBeVisible();

    await chat.reload();
    await expect(page).toHaveURL(new RegExp(`/chat/${id}$`));
    await expect(chat.sidebar.conversation(title)).toBeVisible();
    await expect(chat.sidebar.conversation(title)).toHaveAttribute("aria-current", "page");
    await expect(chat.messages).toHaveCount(2);
    await expect(chat.messages.first()).toHaveAttribute("data-role", "user");
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.lastAssistant).toHaveAttribute("data-status", "complete");
    await expect(chat.lastAssistant).toHaveText(replyText);
  });

  test("starts a new chat, renames and deletes conversations", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const { sidebar } = chat;
    const id = tag();

    const first = `Conversation to rename ${id}`;
    const firstId = await chat.sendAndWaitForReply(first);
    await expect(sidebar.conversation(first)).toBeVisible();

    await sidebar.newChatLink.click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
    await expect(chat.messages).toHaveCount(0);
    await chat.expectReady();

    const second = `Conversation to delete ${id}`;
    const secondId = await chat.sendAndWaitForReply(second);
    expect(secondId).not.toBe(firstId);
    await expect(sidebar.conversation(second)).toBeVisible();
    await expect(sidebar.conversation(first)).toBeVisible();

    // Delete the open conversation (started on this page, so its URL came from replaceState):
    // it leaves the sidebar and the page becomes a new, empty chat.
    await expect(page).toHaveURL(new RegExp(`/chat/${secondId}$`));
    await sidebar.delete(second);
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
    await expect(chat.messages).toHaveCount(0);

    // Rename: the sidebar shows the new title, and so does the server after a reload.
    const renamed = `Renamed ${id}`;
    await sidebar.rename(first, renamed);
    await chat.reload();
    await expect(sidebar.conversation(renamed)).toBeVisible();
    await expect(sidebar.conversation(first)).toHaveCount(0);
    await expect(sidebar.conversation(second)).toHaveCount(0);
    const got = await page.request.get(`/api/conversations/${firstId}`);
    expect(got.status()).toBe(200);
    expect(((await got.json()) as ConversationDto).title).toBe(renamed);

    // The deleted conversation's URL is gone for good. The page says Not found (served with
    // HTTP 200, as app/(chat)/loading.tsx makes it stream: a soft 404); the API answers 404.
    await page.goto(`/chat/${secondId}`);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(chat.messages).toHaveCount(0);
    await expectApiError(await page.request.get(`/api/conversations/${secondId}`), 404, "not_found");

    // Deleting a conversation opened from the sidebar works the same way.
    await chat.goto(firstId);
    await sidebar.delete(renamed);
    await expect(page).toHaveURL(/\/chat$/);
    await expect(chat.messages).toHaveCount(0);
    await chat.reload();
    await expect(sidebar.conversation(renamed)).toHaveCount(0);
    await expectApiError(await page.request.get(`/api/conversations/${firstId}`), 404, "not_found");
  });

  test("Stop mid-stream keeps the partial reply, marked Interrupted, also after a reload", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    // ~140 quoted words: the reply streams for seconds, so Stop lands well before its end.
    const text = `Stop test ${tag()} ${"a ".repeat(140).trim()}`;
    await chat.send(text);

    const reply = chat.lastAssistant;
    await expect(reply).toHaveAttribute("data-status", "streaming");
    await expect(reply).toContainText(OFFLINE_NOTE);
    await chat.stopButton.click();

    await expect(reply).toHaveAttribute("data-status", "interrupted");
    await expect(reply.getByText("Interrupted", { exact: true })).toBeVisible();
    await expect(reply).toContainText(OFFLINE_NOTE);
    await expect(reply).not.toContainText(OFFLINE_HINT);
    await expect(chat.sendButton).toBeVisible();
    await expect(page).toHaveURL(CONVERSATION_URL);

    // The server settles the stopped turn on its own; wait for that before reloading.
    const stored = await chat.reloadAndExpectTurn(text, "interrupted", "Interrupted");
    await expect(stored).toContainText(OFFLINE_NOTE);
    await expect(stored).not.toContainText(OFFLINE_HINT);
    await expect(stored.getByRole("button", { name: "Retry" })).toBeVisible();
  });

  test("a message over 32 KB is refused with an explanation, kept in the composer and not stored", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const marker = `oversized-${tag()}`;
    const big = `${marker} ${"x".repeat(33 * 1024 - marker.length - 1)}`;
    await chat.composer.fill(big);
    await expect(page.getByText("33.0 / 32 KB")).toBeVisible();
    await chat.composer.press("Enter");

    await expect(chat.alert("the limit is 32 KB")).toBeVisible();
    await expect(chat.composer).toHaveValue(big);
    await expect(chat.messages).toHaveCount(0);
    await expect(page).toHaveURL(/\/chat$/);

    await chat.reload();
    await expect(chat.sidebar.nav.getByRole("list", { name: "Loading conversations" })).toHaveCount(0);
    await expect(chat.sidebar.nav.getByRole("link", { name: new RegExp(marker) })).toHaveCount(0);
    const list = (await (await page.request.get("/api/conversations?limit=100")).json()) as { items: ConversationDto[] };
    expect(list.items.filter((c) => c.title.includes(marker))).toEqual([]);
  });

  test("renders Markdown in replies but never raw HTML", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const hostile = `<img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script> **bold**`;
    await chat.sendAndWaitForReply(hostile);

    const check = async () => {
      await expect(chat.lastUser).toHaveText(hostile); // the user's own text is shown as text
      await expect(chat.lastAssistant).toHaveAttribute("data-status", "complete");
      await expect(chat.messages.locator("strong").filter({ hasText: /^bold$/ }).first()).toBeVisible();
      await expect(chat.messages.locator("img, script, iframe")).toHaveCount(0);
      await expect(page.locator('img[src="x"]')).toHaveCount(0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    };
    await check();
    await chat.reload();
    await check();
  });

  test("Enter sends and Shift+Enter inserts a new line", async ({ signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const id = tag();
    await expect(chat.composer).toBeFocused();
    await chat.composer.pressSequentially(`first line ${id}`);
    await chat.composer.press("Shift+Enter");
    await chat.composer.pressSequentially("second line");
    await expect(chat.composer).toHaveValue(`first line ${id}\nsecond line`);
    await expect(chat.messages).toHaveCount(0);

    await chat.composer.press("Enter");
    await expect(chat.userMessages).toHaveCount(1);
    await expect.poll(() => chat.lastUser.innerText()).toBe(`first line ${id}\nsecond line`);
    await expect(chat.composer).toHaveValue("");
    await chat.expectLastReplyStatus("complete");
    await expect(chat.sidebar.conversation(`first line ${id}`)).toBeVisible();

    // The Send button works too.
    await chat.composer.fill(`by button ${id}`);
    await chat.sendButton.click();
    await expect(chat.userMessages).toHaveCount(2);
    await expect(chat.lastUser).toHaveText(`by button ${id}`);
    await chat.expectLastReplyStatus("complete");
  });

  test("signing out ends the session", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    await chat.signOutButton.click();
    await expect(page).toHaveURL(/\/signin$/);
    await page.goto("/chat");
    await expect(page).toHaveURL(/\/signin/);
    await expectApiError(await page.request.get("/api/me"), 401, "unauthorized");
  });

  test.describe("on a phone", () => {
    test.use({ viewport: { width: 390, height: 844 } });

    test("the sidebar hides behind Open menu and shows the conversation list when opened", async ({ page, signInAs }) => {
      const chat = await signInAs(USERS.alice.email);
      const { sidebar } = chat;
      await expect(sidebar.openMenuButton).toBeVisible();
      await expect(sidebar.nav).not.toBeInViewport();

      const title = `From my phone ${tag()}`;
      await chat.sendAndWaitForReply(title);
      await expect(sidebar.nav).not.toBeInViewport();

      await sidebar.openMenuButton.click();
      await expect(sidebar.nav).toBeInViewport();
      await expect(sidebar.list).toBeVisible();
      await expect(sidebar.conversation(title)).toBeInViewport();

      await sidebar.closeMenuButton.click();
      await expect(sidebar.nav).not.toBeInViewport();

      // Picking a link in the drawer closes it.
      await sidebar.openMenuButton.click();
      await expect(sidebar.nav).toBeInViewport();
      await sidebar.newChatLink.click();
      await expect(page).toHaveURL(/\/chat$/);
      await expect(sidebar.nav).not.toBeInViewport();
    });
  });
});
