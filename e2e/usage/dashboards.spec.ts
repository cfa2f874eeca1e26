import { expect, test, type Browser, type Page } from "@playwright/test";
import { SignInPage } from "../fixtures/pages/signin-page";
import { UsagePage } from "../fixtures/pages/usage-page";
import { seedUsage, startOwnApp, type OwnApp } from "./own-server";

/**
 * The usage dashboards on seeded usage (an app of this spec's own on PostgreSQL, usage rows
 * written into its tables): charts render from the data (bars, and the same figures as a
 * table), filters live in the URL, the CSV matches; a member sees only their own usage (404 on
 * the admin page and its API), a manager only the teams they manage.
 */
test.describe.configure({ mode: "serial", timeout: 180_000 });

let app: OwnApp;

test.beforeAll(async () => {
  app = await startOwnApp(3150);
  await seedUsage(app.sql, [
    { email: "alice@acme.test", model: "gpt-4o", agent: "research", costUsd: 1.2, inputTokens: 4000, outputTokens: 1000, daysAgo: 0 },
    { email: "alice@acme.test", model: "gpt-4o-mini", agent: "writing", costUsd: 0.3, inputTokens: 9000, outputTokens: 2000, daysAgo: 2 },
    { email: "bob@acme.test", model: "gpt-4o", agent: "aggregator", costUsd: 0.8, inputTokens: 3000, outputTokens: 800, daysAgo: 1 },
    { email: "dan@acme.test", model: "house-llm", agent: "chat", costUsd: 5, inputTokens: 100000, outputTokens: 20000, daysAgo: 3, defaultPriced: true },
  ]);
});
test.afterAll(async () => {
  await app?.stop();
});

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: app.base });
  const page = await context.newPage();
  await new SignInPage(page).signInAsSeededUser(email);
  return page;
}

test("an admin's /admin/usage renders its charts from the seeded usage; filters are kept in the URL; CSV export", async ({ browser }) => {
  const page = await as(browser, "carol@acme.test");
  const usage = new UsagePage(page);
  await usage.goto();
  await expect(usage.totals).toContainText("$7.30");
  for (const id of ["chart-spend-by-day", "chart-by-user", "chart-by-model", "chart-by-agent"]) {
    await expect(usage.bars(id).first(), id).toBeVisible();
  }
  await expect(usage.bars("chart-by-user")).toHaveCount(3);
  await expect(usage.bars("chart-by-agent")).toHaveCount(4);
  // The text alternative: a summary, and the same figures as a table.
  await expect(usage.chart("chart-by-user")).toContainText("the most spent by Dan Diaz: $5.00");
  const rows = await usage.asTable("chart-by-model");
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText("house-llm");
  await expect(usage.topUsers.locator("tbody tr").first()).toContainText("Dan Diaz");
  await expect(page.getByTestId("default-priced-note")).toContainText("1 call was counted at the default price");

  await usage.filter({ model: "gpt-4o" });
  await expect(page).toHaveURL(/[?&]model=gpt-4o(&|$)/);
  await expect(usage.totals).toContainText("$2.00");
  await page.reload();
  await expect(usage.totals).toContainText("$2.00");
  const csv = await page.request.get(await usage.exportLink.getAttribute("href") as string);
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines).toHaveLength(3); // header + alice's and bob's gpt-4o days
  expect(lines.slice(1).every((l) => l.includes(",gpt-4o,"))).toBe(true);
  await page.context().close();
});

test("a member sees their own usage on /settings/usage and nobody else's: 404 on the admin page and API", async ({ browser }) => {
  const page = await as(browser, "alice@acme.test");
  const mine = new UsagePage(page, "/settings/usage");
  await mine.goto();
  await expect(mine.totals).toContainText("$1.50");
  await expect(mine.bars("chart-spend-by-day").first()).toBeVisible();
  await expect(mine.bars("chart-by-model")).toHaveCount(2);
  await expect(page.getByText("No spending limit applies to you.")).toBeVisible();
  const own = await (await page.request.get("/api/me/usage")).json();
  expect(own.totals.costUsd).toBeCloseTo(1.5, 6);

  const res = await page.goto("/admin/usage");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  const api = await page.request.get("/api/admin/usage");
  expect(api.status()).toBe(404);
  expect((await api.json()).error.code).toBe("not_found");
  expect((await page.request.get("/api/admin/usage/export.csv")).status()).toBe(404);
  await page.context().close();
});

test("a manager sees the teams they manage only (bob: Sales), and 404 for anyone else", async ({ browser }) => {
  const page = await as(browser, "bob@acme.test");
  const usage = new UsagePage(page);
  await usage.goto();
  await expect(usage.totals).toContainText("$2.30");
  await expect(usage.bars("chart-by-user")).toHaveCount(2);
  const rows = await usage.asTable("chart-by-user");
  await expect(rows).toHaveText([/Alice Adams/, /Bob Brown/]);
  await expect(usage.filters.getByLabel("Team").locator("option")).toHaveText(["All teams", "Sales"]);
  await expect(page.getByText("Dan Diaz")).toHaveCount(0);

  const { rows: dan } = await app.sql.query<{ id: string; teamId: string }>(`SELECT "id", "teamId" FROM "User" WHERE "email" = 'dan@acme.test'`);
  const other = await page.goto(`/admin/usage?user=${dan[0]!.id}`);
  expect(other?.status()).toBe(404);
  expect((await page.request.get(`/api/admin/usage?user=${dan[0]!.id}`)).status()).toBe(404);
  expect((await page.request.get(`/api/admin/usage?team=${dan[0]!.teamId}`)).status()).toBe(404);
  await page.context().close();
});
