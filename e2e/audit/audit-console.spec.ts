import { readFile } from "node:fs/promises";
import type { APIRequestContext } from "@playwright/test";
import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { AuditEventPage } from "../fixtures/pages/audit-event-page";
import { AuditLogPage } from "../fixtures/pages/audit-log-page";

/**
 * The audit console at /admin/audit, as ivan (Acme's auditor) uses it after alice has chatted,
 * and as a member does not see it. The trail is written in batches and sealed about once a
 * second, so the spec polls for the turn's events instead of sleeping. The server is shared with
 * specs running in parallel: nothing here assumes alice's turn is her only one.
 */

interface AuditItem {
  id: string;
  action: string;
  actorId: string | null;
  target: { type: string; id: string } | null;
  sealed: boolean;
}

async function myId(api: APIRequestContext): Promise<string> {
  const res = await api.get("/api/me");
  expect(res.status()).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

async function turnEvents(
  api: APIRequestContext,
  userId: string,
  conversationId: string,
): Promise<AuditItem[]> {
  const q = new URLSearchParams({ user: userId, action: "chat.", conversation: conversationId, limit: "50" });
  const res = await api.get(`/api/admin/audit/events?${q}`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { items: AuditItem[] }).items;
}

test.describe("audit console", () => {
  test("ivan finds alice's chat turn, reads its step timeline, exports her chat steps and verifies the chain", async ({
    page,
    signInAs,
    sessionFor,
  }) => {
    // Alice chats: her turn's steps are recorded.
    const alice = await sessionFor(USERS.alice.email);
    await alice.gotoNew();
    const conversationId = await alice.sendAndWaitForReply(
      `Please keep a record of this ${crypto.randomUUID().slice(0, 6)}`,
    );
    const aliceId = await myId(alice.page.request);

    // Ivan signs in through the UI; the console opens on the first of the two sections an
    // auditor may use (the org's usage), and the audit log is the other.
    await signInAs(USERS.ivan.email);
    await page.getByRole("link", { name: "Admin" }).click();
    await expect(page).toHaveURL(/\/admin\/usage$/);
    const audit = new AuditLogPage(page);
    await expect(audit.nav.getByRole("link")).toHaveText(["Usage", "Audit log"]);
    await audit.nav.getByRole("link", { name: "Audit log" }).click();
    await expect(page).toHaveURL(/\/admin\/audit$/);
    await audit.expectReady();

    // Wait until the whole turn is written and sealed.
    await expect
      .poll(
        async () => {
          const items = await turnEvents(page.request, aliceId, conversationId);
          return items.some((e) => e.action === "chat.response_completed") && items.every((e) => e.sealed);
        },
        { timeout: 20_000 },
      )
      .toBe(true);

    // Filter to alice's chat steps; the filters land in the URL.
    await audit.select(audit.userSelect, `${USERS.alice.name} (${USERS.alice.email})`);
    await audit.select(audit.actionSelect, "All chat steps");
    await expect(page).toHaveURL(new RegExp(`[?&]user=${aliceId}(&|$)`));
    await expect(page).toHaveURL(/[?&]action=chat\.(&|$)/);
    await expect(audit.rows.first()).toBeVisible();
    for (const actor of await audit.rows.evaluateAll((rows) =>
      rows.map((r) => r.getAttribute("data-actor")),
    )) {
      expect(actor).toBe(aliceId);
    }
    for (const action of await audit.rows.evaluateAll((rows) =>
      rows.map((r) => r.getAttribute("data-action")),
    )) {
      expect(action).toMatch(/^chat\./);
    }
    await expect(audit.rows.first()).toContainText(USERS.alice.name);

    // The filtered view survives a reload.
    await page.reload();
    await audit.expectReady();
    await expect(audit.userSelect).toHaveValue(aliceId);
    await expect(audit.actionSelect).toHaveValue("chat.");

    // Her turn's completion opens on its own page, with the turn's steps as a timeline.
    const turn = audit.rowsForTarget(`conversation:${conversationId}`);
    await audit.loadUntilVisible(turn);
    const completed = turn.and(page.locator('[data-action="chat.response_completed"]'));
    await audit.eventLink(completed).click();
    const event = new AuditEventPage(page);
    await expect(event.heading("Completed")).toBeVisible();
    await expect(page.getByText(/^Sealed #\d+$/)).toBeVisible();
    await expect(event.timeline).toBeVisible();
    await expect(event.bar("chat.request_received")).toHaveCount(1);
    await expect(event.bar("chat.model_call")).not.toHaveCount(0);
    await expect(event.bar("chat.first_token")).toHaveCount(1);
    await expect(event.bar("chat.response_completed")).toHaveCount(1);
    await expect(event.bar("chat.response_completed")).toHaveAttribute("aria-current", "true");
    await expect(event.step(/^Request received: at \+\d+ ms$/)).toBeVisible();
    // An agent team's turn: the orchestrator's plan call, then the aggregator's answer.
    for (const agent of ["orchestrator", "aggregator"]) {
      await expect(
        event.step(new RegExp(`^Model call 1 · ${agent}( \\(attempt \\d+\\))?: from \\+\\d+ ms, took [\\d.]+ m?s$`)),
      ).toBeVisible();
    }
    await expect(event.step(/^Completed: from \+\d+ ms, took [\d.]+ m?s$/)).toBeVisible();
    // The same timings as text, for anyone who cannot see the bars.
    await page.getByText("Timings as a table").click();
    await expect(event.timingsTable.getByRole("row")).toHaveCount((await event.bars.count()) + 1);

    // Back to the filtered list, and export it.
    await page.goBack();
    await audit.expectReady();
    await expect(audit.userSelect).toHaveValue(aliceId);
    await expect(audit.actionSelect).toHaveValue("chat.");
    await expect(audit.exportJsonlLink).toHaveAttribute("href", /format=jsonl/);
    const downloading = page.waitForEvent("download");
    await audit.exportJsonlLink.click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^enclave-audit-acme-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const path = await download.path();
    const lines = (await readFile(path, "utf8")).split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(0);
    const rows = lines.map(
      (l) => JSON.parse(l) as { actorId: string; action: string; targetId: string | null },
    );
    for (const r of rows) {
      expect(r.actorId).toBe(aliceId);
      expect(r.action).toMatch(
        /^chat\.(request_received|plan|specialist_(started|finished)|aggregate|first_token|model_call|tool_call|response_(completed|interrupted|failed))$/,
      );
    }
    expect(rows.filter((r) => r.targetId === conversationId).map((r) => r.action)).toEqual(
      expect.arrayContaining([
        "chat.request_received",
        "chat.model_call",
        "chat.first_token",
        "chat.response_completed",
      ]),
    );

    // The chain verifies.
    await audit.verifyButton.click();
    await expect(audit.verifyResult).toContainText(
      /Chain intact: \d+ events, head #\d+, \d+ signed checkpoints?\./,
    );
  });

  test("members and managers get the Not found page and 404 from every audit route", async ({
    sessionFor,
  }) => {
    const ivan = (await sessionFor(USERS.ivan.email)).page.request;
    const res = await ivan.get("/api/admin/audit/events?limit=1");
    expect(res.status()).toBe(200);
    const someEvent = ((await res.json()) as { items: AuditItem[] }).items[0];

    for (const who of [USERS.alice, USERS.bob]) {
      const chat = await sessionFor(who.email);
      for (const path of ["/admin/audit", `/admin/audit/${someEvent?.id ?? "x"}`]) {
        const page = await chat.page.goto(path);
        expect(page?.status(), `${who.email} ${path}`).toBe(404);
        await expect(chat.page.getByRole("heading", { name: "Not found" })).toBeVisible();
      }
      const api = chat.page.request;
      await expectApiError(await api.get("/api/admin/audit/events"), 404, "not_found");
      if (someEvent)
        await expectApiError(await api.get(`/api/admin/audit/events/${someEvent.id}`), 404, "not_found");
      await expectApiError(await api.get("/api/admin/audit/export?format=csv"), 404, "not_found");
      await expectApiError(await api.post("/api/admin/audit/verify"), 404, "not_found");
      await expectApiError(await api.get("/api/admin/audit/checkpoints"), 404, "not_found");
    }
  });
});
