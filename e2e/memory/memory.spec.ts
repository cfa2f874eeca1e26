import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { MemoryPage } from "../fixtures/pages/memory-page";
import { expectRefusedAndUnchanged, jsonOf } from "../fixtures/unauthorized";

/**
 * Settings → Memory: a user adds, finds, edits and deletes their memories, and switches memory
 * off; memories are theirs alone (another user neither sees nor can change them: 404).
 */
const tag = () => crypto.randomUUID().slice(0, 8);

test.describe("memory in settings", () => {
  test("a user adds a memory, sees it in the list, edits it, finds it by search and deletes it", async ({ signInAs, page }) => {
    await signInAs(USERS.alice.email);
    const memory = new MemoryPage(page);
    await memory.goto();
    const text = `I prefer metric units ${tag()}`;
    const id = await memory.add(text);
    expect(id).not.toBe("");
    await expect(memory.row(text)).toContainText("Added by you");

    // Still there after a reload: it is stored, not just shown.
    await memory.reload();
    await expect(memory.row(text)).toBeVisible();

    const edited = `${text} and Celsius`;
    await memory.edit(text, edited);
    await memory.search("celsius");
    await expect(memory.row(edited)).toBeVisible();
    await memory.search(`no such memory ${tag()}`);
    await expect(memory.emptyNotice).toBeVisible();
    await memory.search("");

    await memory.delete(edited);
    await memory.reload();
    await expect(memory.row(edited)).toHaveCount(0);
    const listed = (await jsonOf(await page.request.get("/api/me/memories"))) as { items: Array<{ id: string }> };
    expect(listed.items.map((m) => m.id)).not.toContain(id);
  });

  test("an empty memory is refused with a message at the field", async ({ signInAs, page }) => {
    await signInAs(USERS.alice.email);
    const memory = new MemoryPage(page);
    await memory.goto();
    await memory.addButton.click();
    await expect(page.getByText("Write what the assistant should remember.")).toBeVisible();
    const res = await page.request.post("/api/me/memories", { data: { text: "x".repeat(2001) } });
    const body = await expectApiError(res, 422, "validation_failed");
    expect(body.error.message).toContain("text");
  });

  test("switching memory off and choosing automatic saving are kept", async ({ signInAs, page }) => {
    // Ivan (auditor) is used by no other spec that chats, so memory being off for a moment disturbs nobody.
    await signInAs(USERS.ivan.email);
    const memory = new MemoryPage(page);
    await memory.goto();
    await expect(memory.memoryEnabled).toBeChecked();
    const saved = () => page.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/api/me/preferences") && r.ok());
    await Promise.all([saved(), memory.automaticMode.check()]);
    await expect(memory.prefsStatus).toHaveText("Saved.");
    await Promise.all([saved(), memory.memoryEnabled.uncheck()]);
    await expect(memory.prefsStatus).toHaveText("Saved.");
    await memory.reload();
    await expect(memory.memoryEnabled).not.toBeChecked();
    await expect(memory.automaticMode).toBeChecked();
    expect(await jsonOf(await page.request.get("/api/me/preferences"))).toMatchObject({ memoryEnabled: false, memorySaveMode: "automatic" });
    await Promise.all([saved(), memory.memoryEnabled.check()]);
  });

  test("another user's memory: not listed, and PATCH/DELETE answer 404 leaving it unchanged", async ({ sessionFor }) => {
    const alice = await sessionFor(USERS.alice.email);
    const dan = await sessionFor(USERS.dan.email);
    const text = `Alice's private memory ${tag()}`;
    const created = (await jsonOf(await alice.page.request.post("/api/me/memories", { data: { text } }))) as { id: string };
    const snapshot = async () => jsonOf(await alice.page.request.get("/api/me/memories"));
    const intruder = dan.page.request;
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.patch(`/api/me/memories/${created.id}`, { data: { text: "hijacked" } }) });
    await expectRefusedAndUnchanged({ snapshot, attempt: () => intruder.delete(`/api/me/memories/${created.id}`) });
    const theirs = (await jsonOf(await intruder.get("/api/me/memories"))) as { items: Array<{ id: string; text: string }> };
    expect(theirs.items.map((m) => m.id)).not.toContain(created.id);
    expect(JSON.stringify(theirs)).not.toContain(text);
    const page = new MemoryPage(dan.page);
    await page.goto();
    await expect(page.row(text)).toHaveCount(0);
  });
});
