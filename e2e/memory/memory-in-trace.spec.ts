import { expect, test, USERS } from "../fixtures/auth";
import { AgentTraceView } from "../fixtures/pages/chat-page";
import { MemoryPage } from "../fixtures/pages/memory-page";

/**
 * A memory the user added is recalled into a later turn, and the turn's trace lists it among the
 * memories used; once deleted, it no longer appears. (Depends on the agent team emitting the
 * trace's "memory" part from the recalled list.)
 */
test("a memory the user added is used in a later turn's trace, and no longer once deleted", async ({ signInAs, page }) => {
  const chat = await signInAs(USERS.dan.email);
  const memory = new MemoryPage(page);
  await memory.goto();
  const marker = `zebracolour${crypto.randomUUID().slice(0, 6)}`;
  const text = `My favourite colour is ${marker}`;
  await memory.add(text);

  await chat.gotoNew();
  await chat.sendAndWaitForReply(`Which colour is ${marker}?`);
  const trace = new AgentTraceView(chat.lastAssistant);
  if ((await trace.toggle.getAttribute("aria-expanded")) !== "true") await trace.toggle.click();
  await expect(trace.memories).toContainText(text);

  await memory.goto();
  await memory.delete(text);
  await chat.gotoNew();
  await chat.sendAndWaitForReply(`Which colour is ${marker}?`);
  const after = new AgentTraceView(chat.lastAssistant);
  if ((await after.toggle.getAttribute("aria-expanded")) !== "true") await after.toggle.click();
  await expect(after.memories).toHaveCount(0);
});
