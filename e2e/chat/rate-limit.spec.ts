import { expect, test, USERS } from "../fixtures/auth";
import { ChatPage, CONVERSATION_URL } from "../fixtures/pages/chat-page";
import { SignInPage } from "../fixtures/pages/signin-page";
import { startOwnAppServer, type OwnAppServer } from "./own-app-server";

/**
 * Refusals in the composer: over a limit the UI counts the server's Retry-After down ("You can
 * send again in 40 s"), sending waits for 0, and what the user typed stays in the box. A refusal
 * from admission stored nothing, so no phantom message stays in the list; a gateway refusal
 * after the message was stored keeps it.
 */

const tag = () => crypto.randomUUID().slice(0, 8);
const OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);

test.describe("over the per-user rate limit (a server of its own with RATE_LIMIT_USER_RPM=1)", () => {
  test.describe.configure({ timeout: 180_000 });
  let server: OwnAppServer;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    server = await startOwnAppServer("rate-limit", 3131 + OFFSET, { RATE_LIMIT_USER_RPM: "1" });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test("the second turn in a minute is refused with a countdown; the typed text stays and can be sent at 0", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: server.baseURL });
    try {
      const page = await context.newPage();
      await new SignInPage(page).signInAsSeededUser(USERS.alice.email);
      const chat = new ChatPage(page);
      await chat.expectReady();
      const first = `First turn of the minute ${tag()}`;
      const id = await chat.sendAndWaitForReply(first);

      const second = `Second turn, refused for now ${tag()}\nwith a second line`;
      await chat.send(second);
      await expect(chat.sendCountdown).toHaveText(/^You can send again in \d+ s$/);
      const start = (await chat.countdownSeconds())!;
      console.log(`rate-limit countdown started at ${start} s`);
      expect(start).toBeGreaterThan(0);
      expect(start).toBeLessThanOrEqual(60);
      // The server's own words say which limit was hit (lib/limits/refusals.ts); its fixed "in N s"
      // gives way to the live countdown.
      await expect(chat.alert("You have sent 1 turn this minute, your limit.")).toBeVisible();
      await expect(chat.alert(/send again in/)).toHaveCount(0);

      // Nothing was stored, nothing phantom shows, and the text is still in the box.
      await expect(chat.composer).toHaveValue(second);
      await expect(chat.userMessages).toHaveCount(1);
      await expect(chat.lastUser).toHaveText(first);
      await expect(chat.sendButton).toBeDisabled();
      await chat.composer.press("Enter");
      await expect(chat.userMessages).toHaveCount(1);
      await expect(chat.composer).toHaveValue(second);
      // It counts down.
      await expect.poll(() => chat.countdownSeconds(), { timeout: 5_000 }).toBeLessThan(start);
      const stored = (await (await page.request.get(`/api/conversations/${id}/messages`)).json()) as { items: unknown[] };
      expect(stored.items).toHaveLength(2);

      // At 0 the countdown ends, Send comes back, and the server accepts the very same text.
      await expect(chat.sendCountdown).toHaveText("You can send again now.", { timeout: (start + 5) * 1000 });
      await expect(chat.sendButton).toBeEnabled();
      await expect(chat.composer).toHaveValue(second);
      await chat.sendButton.click();
      await expect(chat.userMessages).toHaveCount(2);
      await expect(chat.composer).toHaveValue("");
      await chat.expectLastReplyStatus("complete");
      await expect.poll(() => chat.lastUser.innerText()).toBe(second);
    } finally {
      await context.close();
    }
  });
});

test.describe("refusals as the server words them (responses of /api/chat replaced in the browser)", () => {
  test("budget_exceeded: the server's message, a countdown, the text kept, and Send back at 0", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const message = "You have used your monthly budget of $5.00. It resets on Jan 1, 2027; an admin can raise it.";
    await page.route("/api/chat", (route) =>
      route.fulfill({
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "3" },
        body: JSON.stringify({ error: { code: "budget_exceeded", message } }),
      }),
    );
    const text = `Over budget ${tag()}`;
    await chat.send(text);

    await expect(chat.alert(message)).toBeVisible();
    await expect(chat.sendCountdown).toHaveText(/^You can send again in [1-3] s$/);
    await expect(chat.composer).toHaveValue(text);
    await expect(chat.messages).toHaveCount(0);
    await expect(chat.sendButton).toBeDisabled();
    await expect(page).toHaveURL(/\/chat$/);

    await expect(chat.sendCountdown).toHaveText("You can send again now.", { timeout: 8_000 });
    await expect(page.getByTestId("send-again-announcement")).toHaveText("You can send again now.");
    await expect(chat.sendButton).toBeEnabled();
    await expect(chat.composer).toHaveValue(text);

    await page.unroute("/api/chat");
    await chat.sendButton.click();
    await chat.expectLastReplyStatus("complete");
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.alert(message)).toHaveCount(0);
    await expect(page).toHaveURL(CONVERSATION_URL);
  });

  test("a 503 before anything was stored (unavailable): 'Try again in N s' and the text back in the box", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    await page.route("/api/chat", (route) =>
      route.fulfill({
        status: 503,
        headers: { "content-type": "application/json", "retry-after": "30" },
        body: JSON.stringify({ error: { code: "unavailable", message: "Enclave is busy recording earlier turns. Try again shortly." } }),
      }),
    );
    const text = `Refused while busy ${tag()}`;
    await chat.send(text);
    await expect(chat.alert("busy recording earlier turns")).toBeVisible();
    await expect(chat.sendCountdown).toHaveText(/^Try again in \d+ s$/);
    // The browser asked the server, which has no such conversation: the text comes back.
    await expect(chat.composer).toHaveValue(text);
    await expect(chat.messages).toHaveCount(0);
    await expect(page).toHaveURL(/\/chat$/);
  });

  test("a gateway refusal after the message was stored keeps the message, shows what the server kept, and counts down", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    // The real turn runs (and is stored); the browser then gets the refusal a gateway without a
    // free deployment answers once the message is saved.
    await page.route("/api/chat", async (route) => {
      const real = await route.fetch();
      await real.body();
      await route.fulfill({
        status: 503,
        headers: { "content-type": "application/json", "retry-after": "30" },
        body: JSON.stringify({ error: { code: "unavailable", message: "No model deployment is free right now. Your message is saved; retry in a moment." } }),
      });
    });
    const text = `Stored, then refused ${tag()}`;
    await chat.send(text);
    await expect(chat.alert("Your message is saved")).toBeVisible();
    await expect(chat.sendCountdown).toHaveText(/^Try again in \d+ s$/);
    await expect(chat.userMessages).toHaveCount(1);
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.composer).toHaveValue("");
    // What the server stored is shown: here the real turn's reply.
    await expect(chat.assistantMessages).toHaveCount(1);
    await expect(page).toHaveURL(CONVERSATION_URL);
    await chat.reload();
    await expect(chat.userMessages).toHaveCount(1);
    await expect(chat.lastUser).toHaveText(text);
  });
});
