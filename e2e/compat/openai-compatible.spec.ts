import { USERS } from "../fixtures/auth";
import { expect, test } from "../fixtures/mock-model";
import { AdminModelsPage } from "../fixtures/pages/admin-models-page";
import { CONVERSATION_URL, expectStreamed, type ChatPage } from "../fixtures/pages/chat-page";
import { COMPAT_DEPLOYMENTS } from "../fixtures/servers";

/**
 * Enclave talking to an OpenAI-compatible server (two deployments on the mock model server, see
 * COMPAT_DEPLOYMENTS): streaming over chat completions, what the user sees when the provider
 * fails or the stream breaks, the fallback to the second deployment and the admin's Models page.
 * The mock is shared, so every test uses its own unique text.
 *
 * Every turn is an agent team's: a plan call (structured output, small tier, so mock-b) and then
 * the answer (large tier, mock-a first). The faults here are aimed at the answers (`answers-only`,
 * or `model=`), so a plan call never fails and the counts below are the answer's calls.
 *
 * The tests of this file run in order in one worker, which keeps the breakers predictable: mock-a
 * fails at most 4 times in a row (MODEL_BREAKER_FAILURES is 5) until the Models test, last,
 * opens its breaker on purpose. Other specs on this server do not care which deployment answers.
 */

const { primary, fallback } = COMPAT_DEPLOYMENTS;
const tag = () => crypto.randomUUID().slice(0, 8);
const retryButton = (chat: ChatPage) => chat.page.getByRole("button", { name: "Retry", exact: true });

test.describe("OpenAI-compatible provider", () => {
  test("streams the reply from the provider over chat completions", async ({ page, signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    await expect(chat.modelBadge).toHaveText(primary.id);

    const token = `compat-stream-${tag()}`;
    const question = `Tell me about ${token} and why a streamed reply arrives word by word instead of all at once please`;
    await chat.startRecordingReplies();
    // Paced by the mock (~20 words, 100 ms apart) so the stream is observable even on a busy
    // machine; the directive never reaches the reply.
    await chat.send(`[[mock:delay-token=100]] ${question}`);
    await chat.expectLastReplyStatus("complete");
    expectStreamed(await chat.recordedReplySamples(), "complete");

    const reply = chat.lastAssistant;
    await expect(reply.getByText(/^Mock reply to: /)).toHaveText(`Mock reply to: ${question}`);
    await expect(reply).not.toContainText("[[mock:");
    await expect(reply).toContainText(primary.id);
    await expect(reply.getByTestId("answered-by")).toHaveCount(0);
    await expect(page).toHaveURL(CONVERSATION_URL);

    // The plan first: one structured-output call to the small tier, not streamed.
    const plans = await mockModel.plansMentioning(token);
    expect(plans.map((r) => [r.body?.model, r.body?.stream ?? false])).toEqual([[fallback.model, false]]);
    const requests = await mockModel.answersMentioning(token);
    expect(requests).toHaveLength(1);
    const [sent] = requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.body?.stream).toBe(true);
    expect(sent?.body?.model).toBe(primary.model);

    await chat.reload();
    await expect(chat.messages).toHaveCount(2);
    await expect(chat.lastAssistant).toHaveAttribute("data-status", "complete");
    await expect(chat.lastAssistant.getByText(/^Mock reply to: /)).toHaveText(`Mock reply to: ${question}`);
  });

  test("a provider error (500) is explained with a Retry, and the message is kept", async ({ page, signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    const token = `compat-fail-${tag()}`;
    // The directive fails every request carrying it: the primary and its fallback both fail.
    const text = `[[mock:status=500,answers-only]] Please fail ${token}`;
    await chat.send(text);

    await expect(chat.alert(/failed \(500\)/)).toBeVisible();
    await expect(retryButton(chat)).toBeVisible();
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.composer).toHaveValue("");
    await expect(page).toHaveURL(CONVERSATION_URL);

    const requests = await mockModel.answersMentioning(token);
    // MODEL_MAX_RETRIES=0: one attempt on each deployment, the primary first.
    expect(requests.map((r) => r.body?.model)).toEqual([primary.model, fallback.model]);
    for (const r of requests) expect(r.fault).toMatchObject({ source: "message", status: 500 });

    await chat.reloadAndExpectTurn(text, "error", "Failed");
    await expect(retryButton(chat)).toBeVisible();
  });

  test("after a reload the failed reply still gives the provider's reason (500)", async ({ signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const text = `[[mock:status=500,answers-only]] Explain the failure ${tag()}`;
    await chat.send(text);
    const live = chat.alert(/failed \(500\)/);
    await expect(live).toBeVisible();
    const reason = ((await live.textContent()) ?? "").replace(/Retry$/, "").trim();
    expect(reason).toContain("(500)");

    await chat.expectStoredReplyStatus("error");
    await chat.reload();
    const failed = chat.lastAssistant;
    await expect(failed).toHaveAttribute("data-status", "error");
    // What was stored must say what the user was told while it happened.
    await expect(failed).toContainText(reason);
  });

  test("a stream cut mid-reply keeps the partial text, marked Interrupted, also after a reload", async ({ signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    const token = `compat-cut-${tag()}`;
    const text = `[[mock:cut-after=3,answers-only]] Please stream then break ${token}`;
    await chat.send(text);

    const reply = chat.lastAssistant;
    await expect(reply).toHaveAttribute("data-status", "interrupted");
    await expect(reply.getByText("Interrupted", { exact: true })).toBeVisible();
    await expect(reply).toContainText("Mock reply to:");
    await expect(reply).not.toContainText(token);
    await expect(chat.alert(/model provider/)).toBeVisible();
    await expect(retryButton(chat)).toBeVisible();

    const requests = await mockModel.answersMentioning(token);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.fault).toMatchObject({ source: "message", cutAfter: 3 });

    const stored = await chat.reloadAndExpectTurn(text, "interrupted", "Interrupted");
    await expect(stored).toContainText("Mock reply to:");
    await expect(stored).not.toContainText(token);
  });

  test("Retry after a provider error produces a complete reply", async ({ signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    await mockModel.clearFaults();
    // One for each deployment, so that the fallback fails too.
    await mockModel.queueFault({ status: 500, model: primary.model, answersOnly: true });
    await mockModel.queueFault({ status: 500, model: fallback.model, answersOnly: true });
    expect(await mockModel.pendingFaults()).toHaveLength(2);

    const token = `compat-retry-${tag()}`;
    const text = `Retry me ${token}`;
    await chat.send(text);
    await expect(chat.alert(/failed \(500\)/)).toBeVisible();
    expect(await mockModel.pendingFaults()).toHaveLength(0);

    await retryButton(chat).click();
    await chat.expectLastReplyStatus("complete");
    await expect(chat.lastAssistant.getByText(/^Mock reply to: /)).toHaveText(`Mock reply to: ${text}`);
    await expect(chat.alert(/failed/)).toHaveCount(0);
    await expect(retryButton(chat)).toHaveCount(0);
    await expect(chat.userMessages).toHaveCount(1);
    await expect(chat.assistantMessages).toHaveCount(1);

    const requests = await mockModel.answersMentioning(token);
    expect(requests.map((r) => r.body?.model)).toEqual([primary.model, fallback.model, primary.model]);
    expect(requests[0]?.fault).toMatchObject({ source: "queue", status: 500, model: primary.model });
    expect(requests[1]?.fault).toMatchObject({ source: "queue", status: 500, model: fallback.model });
    expect(requests[2]?.fault).toBeNull();
    await expect(chat.lastAssistant.getByTestId("answered-by")).toHaveCount(0);

    // The failed reply was superseded: one question, one complete answer.
    await chat.expectStoredReplyStatus("complete");
    await chat.reload();
    await expect(chat.messages).toHaveCount(2);
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.lastAssistant).toHaveAttribute("data-status", "complete");
    await expect(chat.lastAssistant.getByText(/^Mock reply to: /)).toHaveText(`Mock reply to: ${text}`);
  });
});

test.describe("two deployments: fallback and the Models page", () => {
  test("when the primary deployment fails, the fallback answers and the reply says so, also after a reload", async ({ signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    await expect(chat.modelBadge).toHaveText(primary.id);
    const token = `compat-fallback-${tag()}`;
    const question = `Who answers ${token}`;
    await chat.send(`[[mock:status=500,model=${primary.model}]] ${question}`);
    await chat.expectLastReplyStatus("complete");

    const reply = chat.lastAssistant;
    await expect(reply.getByText(/^Mock reply to: /)).toHaveText(`Mock reply to: ${question}`);
    await expect(reply.getByTestId("answered-by")).toHaveText(`answered by ${fallback.id} (fallback)`);
    await expect(chat.alert(/failed/)).toHaveCount(0);

    const requests = await mockModel.answersMentioning(token);
    expect(requests.map((r) => r.body?.model)).toEqual([primary.model, fallback.model]);
    expect(requests[0]?.fault).toMatchObject({ source: "message", status: 500, model: primary.model });
    expect(requests[1]?.fault).toBeNull();

    await chat.expectStoredReplyStatus("complete");
    await chat.reload();
    await expect(chat.lastAssistant).toHaveAttribute("data-status", "complete");
    await expect(chat.lastAssistant.getByTestId("answered-by")).toHaveText(`answered by ${fallback.id} (fallback)`);
  });

  test("members and managers get 404 for the Models page and its API", async ({ sessionFor }) => {
    for (const email of [USERS.alice.email, USERS.bob.email]) {
      const { page } = await sessionFor(email);
      expect((await page.goto("/admin/models"))?.status(), email).toBe(404);
      await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
      const api = await page.request.get("/api/admin/models");
      expect(api.status(), email).toBe(404);
      expect(await api.text()).not.toContain(primary.id);
    }
  });

  // Last in this file: it leaves mock-a's breaker open for 30 s.
  test("the Models page shows mock-a's breaker open after the mock rate-limits it, and refreshes itself", async ({ page, signInAs, mockModel }) => {
    const chat = await signInAs(USERS.carol.email);
    const token = `compat-breaker-${tag()}`;
    // A 429 opens the breaker at once, for the provider's Retry-After; mock-b answers meanwhile.
    await chat.send(`[[mock:status=429,retry-after=30,model=${primary.model}]] Rate-limit the primary ${token}`);
    await chat.expectLastReplyStatus("complete");
    await expect(chat.lastAssistant.getByTestId("answered-by")).toHaveText(`answered by ${fallback.id} (fallback)`);
    expect((await mockModel.answersMentioning(token)).map((r) => r.fault?.status ?? null)).toEqual([429, null]);

    const models = new AdminModelsPage(page);
    await models.goto();
    await expect(models.nav.getByRole("link", { name: "Models" })).toHaveAttribute("aria-current", "page");
    await expect(models.table.getByRole("rowheader")).toHaveText([primary.id, fallback.id].map((id) => new RegExp(`^${id}`)));

    const a = models.row(primary.id);
    await expect(a.getByRole("cell")).toHaveText([
      "openai-compatible",
      primary.model,
      "large",
      "0",
      "1",
      /open/,
      "0",
      "no limit",
      /^\d+(\.\d)? %\d+ calls?$/,
      /^\d+ ms$/,
    ]);
    await expect(models.breaker(primary.id).getByText("open", { exact: true })).toBeVisible();
    await expect(models.breaker(primary.id)).toContainText("The model provider is rate-limiting requests (429).");
    await expect(models.breaker(primary.id)).toContainText(/until .+ \(in \d+ s\)/);
    await expect(models.breaker(fallback.id).getByText("closed", { exact: true })).toBeVisible();
    await expect(models.row(fallback.id).getByRole("cell").nth(2)).toHaveText("small, large");
    // Never a key: the mock needs none and the page shows no key variable for these deployments.
    await expect(models.table).not.toContainText("key from");

    // It polls by itself, without reloading the page.
    await page.evaluate(() => ((window as unknown as { __modelsPage?: string }).__modelsPage = "still here"));
    await expect(models.updated).toHaveText(/^updated [1-9]\d* s ago$/);
    expect(await models.nextPoll()).toBe(200);
    await expect(models.updated).toHaveText(/^updated (just now|[0-3] s ago)$/);
    expect(await page.evaluate(() => (window as unknown as { __modelsPage?: string }).__modelsPage)).toBe("still here");

    // Hidden, it stops asking; visible again, it asks at once.
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await expect(models.updated).toContainText("paused while the tab is hidden");
    await expect(models.nextPoll(7_000)).rejects.toThrow();
    const resumed = models.nextPoll(5_000);
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await resumed).toBe(200);
    await expect(models.updated).not.toContainText("paused");
    await expect(models.breaker(primary.id).getByText("open", { exact: true })).toBeVisible();
  });
});
