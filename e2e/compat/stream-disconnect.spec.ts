import { chatRequest, type MessageDto } from "../fixtures/api";
import { USERS } from "../fixtures/auth";
import { expect, test } from "../fixtures/mock-model";

/**
 * A client that goes away mid-reply frees everything on the server: the request to the model
 * provider is closed (the mock model server sees its connection end early), and the reply is
 * kept, marked interrupted (the plan call before it has long finished; the answer is the one cut). Driven with Node's fetch so the connection can be dropped mid-stream.
 */
test("a client that disconnects mid-stream closes the upstream model request and keeps the partial reply", async ({ page, signInAs, mockModel, baseURL }) => {
  await signInAs(USERS.alice.email);
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const token = `disconnect-${crypto.randomUUID().slice(0, 8)}`;
  const conversationId = crypto.randomUUID();
  const abort = new AbortController();
  const res = await fetch(`${baseURL}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: baseURL! },
    body: JSON.stringify(chatRequest(conversationId, `[[mock:delay-token=100]] Tell me slowly about ${token} in many many words please`)),
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let seen = "";
  while (!seen.includes('"type":"text-delta"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before any text: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  abort.abort();
  await reader.cancel().catch(() => {});

  await expect
    .poll(async () => (await mockModel.answersMentioning(token)).map((r) => r.closedEarly), { timeout: 15_000 })
    .toEqual([true]);
  await expect
    .poll(async () => {
      const r = await page.request.get(`/api/conversations/${conversationId}/messages`);
      const { items } = (await r.json()) as { items: MessageDto[] };
      return items.at(-1)?.metadata?.status;
    })
    .toBe("interrupted");
});
