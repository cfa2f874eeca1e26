import type { Page } from "@playwright/test";
import { expect, test, USERS } from "../fixtures/auth";

/**
 * The soft-threshold banner: when the newest reply's metadata carries `budgetWarning`, a
 * dismissible banner sits above the composer. The real reply stream is passed through with the
 * warning added to its finish chunk's metadata (the shape lib/chat/ui-messages.ts declares), so
 * this runs whether or not the usage engine that sets it is configured on this server.
 */

const tag = () => crypto.randomUUID().slice(0, 8);

async function addWarningToReplies(page: Page, warning: { percent: number; budget: string; resetsAt: string }) {
  await page.route("/api/chat", async (route) => {
    const res = await route.fetch();
    const sse = (await res.text())
      .split("\n")
      .map((line) => {
        if (!line.startsWith("data: {")) return line;
        const chunk = JSON.parse(line.slice("data: ".length)) as { type?: string; messageMetadata?: Record<string, unknown> };
        if (chunk.type !== "finish") return line;
        return `data: ${JSON.stringify({ ...chunk, messageMetadata: { ...chunk.messageMetadata, budgetWarning: warning } })}`;
      })
      .join("\n");
    await route.fulfill({ response: res, body: sse });
  });
}

test("past the soft threshold a dismissible banner warns, and stays dismissed for that budget period", async ({ page, signInAs }) => {
  const chat = await signInAs(USERS.dan.email);
  await page.evaluate(() => localStorage.removeItem("enclave:budget-warning-dismissed"));
  const warning = { percent: 83.4, budget: "your monthly budget of $20.00", resetsAt: "2027-01-01T00:00:00.000Z" };
  await addWarningToReplies(page, warning);

  await chat.sendAndWaitForReply(`Warn me ${tag()}`);
  await expect(chat.budgetWarning).toHaveText("You have used 83% of your monthly budget of $20.00. It resets on Jan 1, 2027.");
  // Above the composer.
  const banner = (await chat.budgetWarning.boundingBox())!;
  const composer = (await chat.composer.boundingBox())!;
  expect(banner.y).toBeLessThan(composer.y);

  await chat.dismissBudgetWarningButton.click();
  await expect(chat.budgetWarning).toHaveCount(0);
  await expect(chat.composer).toBeEnabled();

  // The next reply carries the same warning: it stays dismissed.
  await chat.sendAndWaitForReply(`Still warned ${tag()}`);
  await expect(chat.budgetWarning).toHaveCount(0);

  // A new period's warning shows again.
  await page.unroute("/api/chat");
  await addWarningToReplies(page, { ...warning, percent: 91, resetsAt: "2027-02-01T00:00:00.000Z" });
  await chat.sendAndWaitForReply(`Next period ${tag()}`);
  await expect(chat.budgetWarning).toHaveText("You have used 91% of your monthly budget of $20.00. It resets on Feb 1, 2027.");

  // A reply without it (the period reset, the budget raised) clears the banner.
  await page.unroute("/api/chat");
  await chat.sendAndWaitForReply(`No warning ${tag()}`);
  await expect(chat.budgetWarning).toHaveCount(0);
});
