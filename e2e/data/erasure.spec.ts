import { expect, test } from "@playwright/test";
import { AdminUsersPage } from "../fixtures/pages/admin-users-page";
import { ChatPage } from "../fixtures/pages/chat-page";
import { DataPage } from "../fixtures/pages/data-page";
import { SignInPage } from "../fixtures/pages/signin-page";
import { startOwnApp, type OwnApp } from "../usage/own-server";

/**
 * Erasure from the browser, on an app of its own (PostgreSQL; accounts are erased for good):
 * a person erases their conversations and memory and stays signed in; an admin erases someone's
 * account from Admin → Users after a confirmation that names what goes, and that person's
 * session stops working; a person erases their own account and lands on the sign-in page.
 */
test.describe.configure({ mode: "serial", timeout: 120_000 });

let app: OwnApp;
test.beforeAll(async () => {
  app = await startOwnApp(3161);
});
test.afterAll(async () => {
  await app?.stop();
});

const count = async (sql: string, ...params: unknown[]) => (await app.sql.query<{ n: number }>(sql, params)).rows[0]!.n;
const conversationsOf = (email: string) =>
  count(`SELECT count(*)::int AS n FROM "Conversation" c JOIN "User" u ON u."id" = c."userId" WHERE u."email" = $1`, email);

async function signedIn(browser: import("@playwright/test").Browser, email: string) {
  const ctx = await browser.newContext({ baseURL: app.base });
  const page = await ctx.newPage();
  await new SignInPage(page).signInAsSeededUser(email);
  return { ctx, page };
}

test("a person erases their conversations and memory from Settings → Data and stays signed in", async ({ browser }) => {
  const { ctx, page } = await signedIn(browser, "heidi@acme.test");
  const chat = new ChatPage(page);
  await chat.gotoNew();
  await chat.sendAndWaitForReply("Remember this conversation about kiwis, please");
  expect(await conversationsOf("heidi@acme.test")).toBe(1);

  const data = new DataPage(page);
  await data.goto();
  await data.eraseButton.click();
  await expect(data.eraseDialog).toBeVisible();
  await expect(data.eraseDialog.getByRole("radio", { name: "Conversations and memory" })).toBeChecked();
  await expect(data.eraseSummary).toContainText("every conversation and its messages");
  await expect(data.eraseSummary).toContainText("The account stays");
  // Cancel changes nothing.
  await data.eraseDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(data.eraseDialog).toBeHidden();
  expect(await conversationsOf("heidi@acme.test")).toBe(1);

  await data.eraseButton.click();
  await data.eraseDialog.getByRole("button", { name: "Erase", exact: true }).click();
  await expect(data.myErasure).toHaveText("Your conversations and memory are erased.", { timeout: 20_000 });
  expect(await conversationsOf("heidi@acme.test")).toBe(0);
  await chat.gotoNew();
  await expect(page).toHaveURL(/\/chat/);
  await ctx.close();
});

test("an admin erases a person's account from Admin → Users: the confirmation names what goes, then the person is gone and their session refused", async ({ browser }) => {
  const dan = await signedIn(browser, "dan@acme.test");
  await new ChatPage(dan.page).sendAndWaitForReply("Dan's note about the Q3 launch");
  const carol = await signedIn(browser, "carol@acme.test");
  const users = new AdminUsersPage(carol.page);
  await users.goto();
  await users.eraseButton("dan@acme.test").click();
  const dialog = users.confirmDialog;
  await expect(dialog.getByRole("heading", { name: "Erase data of Dan Diaz?" })).toBeVisible();
  await expect(dialog).toContainText("dan@acme.test");
  await dialog.getByRole("radio", { name: "The whole account" }).check();
  await expect(dialog.getByTestId("erase-summary")).toContainText("the account itself, its sessions and API keys");
  await dialog.getByRole("button", { name: "Erase", exact: true }).click();
  await expect(users.erasureStatus).toHaveText("Erased the account of dan@acme.test.", { timeout: 20_000 });
  await expect(users.row("dan@acme.test")).toHaveCount(0);

  expect(await count(`SELECT count(*)::int AS n FROM "User" WHERE "email" = 'dan@acme.test'`)).toBe(0);
  expect(await count(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "action" = 'data.erased' AND "data"->>'scope' = 'account' AND "targetId" LIKE 'erased-%'`)).toBe(1);
  // Dan's session is gone with his account.
  const res = await dan.page.request.get("/api/conversations");
  expect(res.status()).toBe(401);
  await dan.ctx.close();
  await carol.ctx.close();
});

test("a person erases their own account and lands on the sign-in page, which says so", async ({ browser }) => {
  const { ctx, page } = await signedIn(browser, "alice@acme.test");
  const data = new DataPage(page);
  await data.goto();
  await data.eraseButton.click();
  await data.eraseDialog.getByRole("radio", { name: "The whole account" }).check();
  await data.eraseDialog.getByRole("button", { name: "Erase", exact: true }).click();
  await expect(page).toHaveURL(/\/signin\?erased=1$/, { timeout: 20_000 });
  await expect(page.getByRole("status").filter({ hasText: "Your account and its data were erased." })).toBeVisible();
  await expect.poll(() => count(`SELECT count(*)::int AS n FROM "User" WHERE "email" = 'alice@acme.test'`), { timeout: 10_000 }).toBe(0);
  await ctx.close();
});
