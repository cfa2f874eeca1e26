import { USERS } from "../fixtures/auth";
import { expect, test } from "../fixtures/mock-model";
import { CONVERSATION_URL, expectStreamed, type ChatPage } from "../fixtures/pages/chat-page";
import { COMPAT_MODELS } from "../fixtures/servers";

/**
 * Enclave talking to an OpenAI-compatible server (OPENAI_BASE_URL = the mock model server):
 * streaming over chat completions, and what the user sees when the provider fails or the
 * stream breaks. The mock is shared, so every test uses its own unique text.
 */

const tag = () => crypto.randomUUID().slice(0, 8);
const retryButton = (chat: ChatPage) => chat.page.getByRole("button", { name: "Retry", exact: true });

test.describe("OpenAI-compatible provider", () => {
  test("streams the reply from the provider over chat completions", async ({ page, signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    await expect(chat.modelBadge).toHaveText(COMPAT_MODELS.large);

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
    await expect(page).toHaveURL(CONVERSATION_URL);

    const requests = await mockModel.requestsMentioning(token);
    expect(requests).toHaveLength(1);
    const [sent] = requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.body?.stream).toBe(true);
    expect(sent?.body?.model).toBe(COMPAT_MODELS.large);

    await chat.reload();
    await expect(chat.messages).toHaveCount(2);
    await expect(chat.lastAssistant).toHaveAttribute("data-status", "complete");
    await expect(chat.lastAssistant.getByText(/^Mock reply to: /)).toHaveText(`Mock reply to: ${question}`);
  });

  test("a provider error (500) is explained with a Retry, and the message is kept", async ({ page, signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    const token = `compat-fail-${tag()}`;
    const text = `[[mock:status=500]] Please fail ${token}`;
    await chat.send(text);

    await expect(chat.alert(/failed \(500\)/)).toBeVisible();
    await expect(retryButton(chat)).toBeVisible();
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.composer).toHaveValue("");
    await expect(page).toHaveURL(CONVERSATION_URL);

    const requests = await mockModel.requestsMentioning(token);
    expect(requests).toHaveLength(1); // MODEL_MAX_RETRIES=0
    expect(requests[0]?.fault).toMatchObject({ source: "message", status: 500 });

    await chat.reloadAndExpectTurn(text, "error", "Failed");
    await expect(retryButton(chat)).toBeVisible();
  });

  test("after a reload the failed reply still gives the provider's reason (500)", async ({ signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const text = `[[mock:status=500]] Explain the failure ${tag()}`;
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
    const text = `[[mock:cut-after=3]] Please stream then break ${token}`;
    await chat.send(text);

    const reply = chat.lastAssistant;
    await expect(reply).toHaveAttribute("data-status", "interrupted");
    await expect(reply.getByText("Interrupted", { exact: true })).toBeVisible();
    await expect(reply).toContainText("Mock reply to:");
    await expect(reply).not.toContainText(token);
    await expect(chat.alert(/model provider/)).toBeVisible();
    await expect(retryButton(chat)).toBeVisible();

    const requests = await mockModel.requestsMentioning(token);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.fault).toMatchObject({ source: "message", cutAfter: 3 });

    const stored = await chat.reloadAndExpectTurn(text, "interrupted", "Interrupted");
    await expect(stored).toContainText("Mock reply to:");
    await expect(stored).not.toContainText(token);
  });

  test("Retry after a provider error produces a complete reply", async ({ signInAs, mockModel }) => {
    const chat = await signInAs(USERS.alice.email);
    await mockModel.clearFaults();
    await mockModel.queueFault({ status: 500 });
    expect(await mockModel.pendingFaults()).toHaveLength(1);

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

    const requests = await mockModel.requestsMentioning(token);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.fault).toMatchObject({ source: "queue", status: 500 });
    expect(requests[1]?.fault).toBeNull();

    // The failed reply was superseded: one question, one complete answer.
    await chat.expectStoredReplyStatus("complete");
    await chat.reload();
    await expect(chat.messages).toHaveCount(2);
    await expect(chat.lastUser).toHaveText(text);
    await expect(chat.lastAssistant).toHaveAttribute("data-status", "complete");
    await expect(chat.lastAssistant.getByText(/^Mock reply to: /)).toHaveText(`Mock reply to: ${text}`);
  });
});
