import type { APIRequestContext } from "@playwright/test";
import { expect, test, USERS } from "../fixtures/auth";
import { chatRequest, expectApiError } from "../fixtures/api";
import { AdminAgentPage, AdminAgentsPage } from "../fixtures/pages/admin-agents-page";

/**
 * Admin-versioned agents in the console: every save of the writer is a new version with who and
 * when and a diff; a rollback restores the old text as a new version; a save based on a version
 * someone replaced since is refused with who and when, keeping the admin's text; members get 404.
 * The writer is this file's agent (other specs leave it alone); the tests run in order.
 */
test.describe.configure({ mode: "serial" });

interface AgentJson {
  current: { version: number; instructions: string; tier: string; timeoutMs: number; enabled: boolean; allowedRoles: string[] };
  versions: { items: Array<{ version: number; savedBy: { name: string } | null; instructions: string }> };
}

async function writer(api: APIRequestContext): Promise<AgentJson> {
  const res = await api.get("/api/admin/agents/writing");
  expect(res.status()).toBe(200);
  return (await res.json()) as AgentJson;
}

test("an admin edits the writer's instructions and saves: a new version with who, when and a diff", async ({ page, signInAs }) => {
  await signInAs(USERS.carol.email);
  const list = new AdminAgentsPage(page);
  await list.goto();
  await expect(list.nav.getByRole("link", { name: "Agents" })).toHaveAttribute("aria-current", "page");
  for (const id of ["orchestrator", "research", "calculation", "writing", "aggregator"] as const) await expect(list.row(id)).toBeVisible();

  const editor = await list.open("writing", "Writing");
  const before = await editor.currentVersion();
  const oldText = await editor.instructions.inputValue();
  const newText = `${oldText}\nAlways end with a one-line summary. (e2e ${Date.now()})`;
  await editor.instructions.fill(newText);
  await expect(editor.characterCount).toHaveText(new RegExp(`^${newText.length.toLocaleString("en-US")} / 20,000 characters`));
  await editor.note.fill("Summaries at the end");
  expect(await editor.save()).toBe(200);

  await expect(editor.savedFlag).toHaveText(`Saved as version ${before + 1}`);
  await expect(editor.current).toHaveAttribute("data-version", String(before + 1));
  await expect(editor.current).toContainText(`Saved by ${USERS.carol.name}`);
  await expect(editor.instructions).toHaveValue(newText);
  const item = editor.version(before + 1);
  await expect(item).toContainText("Current");
  await expect(item).toContainText(`Saved by ${USERS.carol.name}`);
  await expect(item).toContainText("Summaries at the end");
  // The newest diff is open: the added line, nothing removed.
  await expect(item.getByTestId("version-diff").locator('[data-op="add"]')).toContainText("Always end with a one-line summary.");
  await expect(item.getByTestId("version-diff").locator('[data-op="del"]')).toHaveCount(0);

  // A reload shows the same, and the list shows the new version.
  await editor.reload();
  await expect(editor.instructions).toHaveValue(newText);
  await list.goto();
  await expect(list.row("writing")).toHaveAttribute("data-version", String(before + 1));
  await expect(list.row("writing")).toContainText(USERS.carol.name);
});

test("a rollback restores the old text as a new version", async ({ page, signInAs }) => {
  await signInAs(USERS.carol.email);
  const editor = new AdminAgentPage(page, "writing", "Writing");
  await editor.goto();
  const start = await editor.currentVersion();
  const oldText = await editor.instructions.inputValue();
  await editor.instructions.fill(`Rewrite everything as a limerick. (e2e ${Date.now()})`);
  expect(await editor.save()).toBe(200);
  await expect(editor.current).toHaveAttribute("data-version", String(start + 1));

  expect(await editor.rollbackTo(start)).toBe(200);
  await expect(editor.current).toHaveAttribute("data-version", String(start + 2));
  await expect(editor.instructions).toHaveValue(oldText);
  await expect(editor.version(start + 2)).toContainText(`Rollback to version ${start}`);
  await expect(editor.version(start + 2).locator('[data-op="del"]')).toContainText("limerick");
  expect((await writer(page.request)).current).toMatchObject({ version: start + 2, instructions: oldText });

  // Cancelling the confirmation changes nothing.
  await editor.version(start + 1).getByRole("button", { name: `Roll back to version ${start + 1}` }).click();
  const dialog = page.getByRole("dialog", { name: `Roll back the Writing agent to version ${start + 1}?` });
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  expect((await writer(page.request)).current.version).toBe(start + 2);
});

test("a save based on a version replaced since is refused with who and when; the admin's text stays", async ({ sessionFor }) => {
  const first = (await sessionFor(USERS.carol.email)).page;
  const second = (await sessionFor(USERS.carol.email)).page;
  const a = new AdminAgentPage(first, "writing", "Writing");
  const b = new AdminAgentPage(second, "writing", "Writing");
  await a.goto();
  await b.goto();
  const opened = await b.currentVersion();

  const theirs = `Their version (e2e ${Date.now()})`;
  await a.instructions.fill(theirs);
  expect(await a.save()).toBe(200);
  await expect(a.current).toHaveAttribute("data-version", String(opened + 1));

  const mine = `My version, typed in the other window (e2e ${Date.now()})`;
  await b.instructions.fill(mine);
  expect(await b.save()).toBe(409);
  await expect(b.staleNotice).toContainText(
    new RegExp(`Saved by ${USERS.carol.name} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC since you opened it \\(version ${opened + 1}\\) — reload to see their version`),
  );
  await expect(b.instructions).toHaveValue(mine);
  // Nothing was overwritten.
  expect((await writer(second.request)).current).toMatchObject({ version: opened + 1, instructions: theirs });
  // Saving again without reloading is refused again.
  expect(await b.save()).toBe(409);

  await b.reloadTheirsButton.click();
  await expect(b.instructions).toHaveValue(theirs);
  await expect(b.staleNotice).toHaveCount(0);
  await expect(b.current).toHaveAttribute("data-version", String(opened + 1));
});

test("instructions that are empty or over 20,000 characters cannot be saved; the API names the field", async ({ page, signInAs }) => {
  await signInAs(USERS.carol.email);
  const editor = new AdminAgentPage(page, "writing", "Writing");
  await editor.goto();
  await editor.instructions.fill("x".repeat(20_001));
  await expect(editor.characterCount).toContainText("20,001 / 20,000 characters — 1 over the limit");
  await expect(editor.saveButton).toBeDisabled();
  await editor.instructions.fill("   ");
  await expect(editor.characterCount).toContainText("the instructions are empty");
  await expect(editor.saveButton).toBeDisabled();

  const { current } = await writer(page.request);
  const put = (over: Record<string, unknown>) =>
    page.request.put("/api/admin/agents/writing", {
      data: { baseVersion: current.version, instructions: current.instructions, tier: current.tier, timeoutMs: current.timeoutMs, enabled: true, allowedRoles: [], ...over },
    });
  for (const [over, field] of [
    [{ instructions: "" }, "instructions"],
    [{ instructions: "y".repeat(20_001) }, "instructions"],
    [{ tier: "huge" }, "tier"],
    [{ timeoutMs: 10 }, "timeoutMs"],
    [{ allowedRoles: ["no-such-role"] }, "allowedRoles.0"],
  ] as const) {
    const body = await expectApiError(await put(over), 422, "validation_failed");
    expect((body.error as { fields?: Array<{ field: string }> }).fields?.[0]?.field).toBe(field);
  }
  const stale = await expectApiError(await put({ baseVersion: current.version + 5 }), 409, "conflict");
  expect(stale.error.message).toMatch(/was saved by .* at .*nothing was overwritten/i);
  expect((await writer(page.request)).current).toEqual(current);
});

test("a member gets 404 on the agents pages and on their API", async ({ sessionFor }) => {
  const alice = (await sessionFor(USERS.alice.email)).page;
  for (const path of ["/admin/agents", "/admin/agents/writing", "/admin/agents/nope"]) {
    const res = await alice.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(alice.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
  await expectApiError(await alice.request.get("/api/admin/agents"), 404, "not_found");
  await expectApiError(await alice.request.get("/api/admin/agents/writing"), 404, "not_found");
  await expectApiError(
    await alice.request.put("/api/admin/agents/writing", {
      data: { baseVersion: 0, instructions: "pwned", tier: "small", timeoutMs: 5000, enabled: true, allowedRoles: [] },
    }),
    404,
    "not_found",
  );
  await expectApiError(await alice.request.post("/api/admin/agents/writing/rollback", { data: { toVersion: 0, baseVersion: 0 } }), 404, "not_found");
});

/**
 * The acceptance line "the next turn records the new version": needs the chat turn to load the
 * org's agents (lib/agents/versions loadAgentSet) and store the versions it used on the reply
 * (metadata.agentVersions), which the chat pipeline does.
 */
test("the next turn records the writer's new version; after a rollback, the rolled-back one", async ({ page, signInAs }) => {
  await signInAs(USERS.carol.email);
  const api = page.request;
  const turn = async (text: string) => {
    const conversationId = crypto.randomUUID();
    const res = await api.post("/api/chat", { data: chatRequest(conversationId, text) });
    expect(res.status()).toBe(200);
    await res.body();
    const messages = (await (await api.get(`/api/conversations/${conversationId}/messages`)).json()) as {
      items: Array<{ role: string; metadata?: { status?: string; agentVersions?: Record<string, number> | null } }>;
    };
    const reply = messages.items.filter((m) => m.role === "assistant").at(-1);
    expect(reply?.metadata?.status).toBe("complete");
    return reply?.metadata?.agentVersions ?? null;
  };

  const { current } = await writer(api);
  const saved = await api.put("/api/admin/agents/writing", {
    data: {
      baseVersion: current.version,
      instructions: `${current.instructions}\nUse short sentences. (e2e ${Date.now()})`,
      tier: current.tier,
      timeoutMs: current.timeoutMs,
      enabled: current.enabled,
      allowedRoles: current.allowedRoles,
    },
  });
  expect(saved.status()).toBe(200);
  const v = ((await saved.json()) as { version: number }).version;
  expect(await turn("Please summarize this: the quarterly report shows growth in every region, led by the north.")).toMatchObject({ writing: v });

  const back = await api.post("/api/admin/agents/writing/rollback", { data: { toVersion: current.version, baseVersion: v } });
  expect(back.status()).toBe(200);
  const rolledBack = ((await back.json()) as { version: number; instructions: string }).version;
  expect(await turn("Summarize: the meeting moved to Thursday and the budget was approved.")).toMatchObject({ writing: rolledBack });
});
