import { expect, test } from "@playwright/test";
import { chatRequest } from "../fixtures/api";
import { ChatPage } from "../fixtures/pages/chat-page";
import { SignInPage } from "../fixtures/pages/signin-page";
import { seedUsage, startOwnApp, type OwnApp } from "./own-server";

/**
 * A used-up budget blocks the next turn through every door with the same message: the browser
 * (the server's words, the typed text kept, nothing stored) and /api/v1 (429, same message,
 * OpenAI's envelope), with Retry-After until the month resets. Below the budget, turns run and
 * are metered (the offline model's calls, counted at the default price and flagged).
 */
test.describe.configure({ mode: "serial", timeout: 180_000 });

let app: OwnApp;

test.beforeAll(async () => {
  app = await startOwnApp(3151, { BUDGET_USER_MONTHLY_USD: "1" });
  await seedUsage(app.sql, [{ email: "dan@acme.test", model: "gpt-4o", agent: "chat", costUsd: 1.25, inputTokens: 1000, outputTokens: 1000, daysAgo: 0 }]);
});
test.afterAll(async () => {
  await app?.stop();
});

const MESSAGE = /^Your monthly budget of \$1\.00 is used up \(\$1\.25 spent\)\. It resets on 1 [A-Z][a-z]+\. An admin can raise it in Admin → Budgets\.$/;

test("under budget a turn runs and is metered; over it the browser and /v1 are refused with the same message", async ({ browser }) => {
  // Heidi is under the default budget: her turn runs, and its model calls become usage rows.
  const ctxH = await browser.newContext({ baseURL: app.base });
  const heidi = await ctxH.newPage();
  await new SignInPage(heidi).signInAsSeededUser("heidi@acme.test");
  const convo = crypto.randomUUID();
  const ok = await heidi.request.post("/api/chat", { data: chatRequest(convo, "What is 2+2?") });
  expect(ok.status()).toBe(200);
  await ok.text();
  await expect
    .poll(async () => (await app.sql.query(`SELECT count(*)::int AS n FROM "UsageRecord" r JOIN "User" u ON u."id" = r."userId" WHERE u."email" = 'heidi@acme.test'`)).rows[0].n, { timeout: 10_000 })
    .toBeGreaterThan(0);
  const flagged = await app.sql.query(`SELECT bool_and("defaultPriced") AS all, min("costUsd"::float8) AS min FROM "UsageRecord" WHERE "model" LIKE 'offline-%'`);
  expect(flagged.rows[0]).toMatchObject({ all: true });
  expect(flagged.rows[0].min).toBeGreaterThan(0);
  await ctxH.close();

  // Dan has spent $1.25 of his $1.00: refused in the browser…
  const ctx = await browser.newContext({ baseURL: app.base });
  const page = await ctx.newPage();
  await new SignInPage(page).signInAsSeededUser("dan@acme.test");
  const chat = new ChatPage(page);
  const text = `Over budget ${crypto.randomUUID().slice(0, 6)}`;
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/chat") && r.request().method() === "POST");
  await chat.send(text);
  const res = await refused;
  expect(res.status()).toBe(429);
  const retry = Number(res.headers()["retry-after"]);
  const reset = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1);
  expect(Math.abs(retry - (reset - Date.now()) / 1000)).toBeLessThan(60);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("budget_exceeded");
  expect(body.error.message).toMatch(MESSAGE);
  await expect(page.getByText(body.error.message)).toBeVisible();
  await expect(chat.composer).toHaveValue(text);
  await expect(chat.messages).toHaveCount(0);

  // …and through /v1, with the same words.
  const key = await page.request.post("/api/keys", { data: { name: "budget e2e", scopes: ["chat"] } });
  expect(key.status()).toBe(201);
  const { key: apiKey } = (await key.json()) as { key: string };
  const v1 = await fetch(`${app.base}/api/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model: "enclave", messages: [{ role: "user", content: "hello" }] }),
  });
  expect(v1.status).toBe(429);
  expect(Math.abs(Number(v1.headers.get("retry-after")) - retry)).toBeLessThanOrEqual(5); // the same reset, a moment later
  const v1Body = (await v1.json()) as { error: { message: string; type: string; code: string } };
  expect(v1Body.error).toMatchObject({ message: body.error.message, type: "insufficient_quota", code: "budget_exceeded" });
  const stored = await app.sql.query(`SELECT count(*)::int AS n FROM "Message" m JOIN "User" u ON u."id" = m."userId" WHERE u."email" = 'dan@acme.test'`);
  expect(stored.rows[0].n).toBe(0);
  const audited = await app.sql.query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "action" = 'budget.exceeded'`);
  expect(audited.rows[0].n).toBe(1);
  await ctx.close();
});
