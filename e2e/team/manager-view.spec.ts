import { expect, test, USERS } from "../fixtures/auth";

/**
 * A manager reads a team member's conversation only after giving a reason, read-only; the owner
 * sees who looked and why; nobody can look outside their teams. bob manages Sales (alice's team);
 * dan is in Support.
 */
const REASON = "Checking the Initech quote before the renewal call on Friday";

test.describe("justified team views", () => {
  test("bob gives a reason, reads alice's conversation read-only, and alice sees that he did", async ({ sessionFor }) => {
    const tag = crypto.randomUUID().slice(0, 8);
    const alice = await sessionFor(USERS.alice.email);
    await alice.sendAndWaitForReply(`Draft the Initech quote ${tag}`);
    const conversationId = alice.conversationId();

    const bob = await sessionFor(USERS.bob.email);
    const page = bob.page;
    await page.getByRole("link", { name: "Team conversations" }).click();
    await expect(page.getByRole("heading", { name: "Team conversations" })).toBeVisible();
    await expect(page.getByRole("link", { name: /Dan Diaz/ })).toHaveCount(0);
    await page.getByRole("link", { name: /Alice Adams/ }).click();
    // Before a reason is given, neither the title nor the content is on the page.
    await expect(page.getByTestId("member-conversations")).toBeVisible();
    await expect(page.getByText(tag)).toHaveCount(0);
    await page.locator(`a[href$="/${conversationId}"]`).click();

    // A reason that is too short is refused with an explanation.
    await page.getByLabel(/Why do you need to read/).fill("curious");
    await page.getByLabel(/Why do you need to read/).evaluate((el) => el.removeAttribute("minlength"));
    await page.getByRole("button", { name: "Record reason and open" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "at least 15 characters" })).toBeVisible();

    await page.getByLabel(/Why do you need to read/).fill(REASON);
    await page.getByRole("button", { name: "Record reason and open" }).click();
    await expect(page).toHaveURL(/\/team\/view\//);
    await expect(page.getByRole("note")).toContainText("Read-only view of Alice Adams's conversation");
    await expect(page.getByRole("note")).toContainText(REASON);
    const transcript = page.getByTestId("readonly-transcript");
    await expect(transcript).toContainText(`Draft the Initech quote ${tag}`);
    // Read-only: no composer on this page.
    await expect(page.getByLabel("Message")).toHaveCount(0);

    await alice.page.goto("/settings/privacy");
    const row = alice.page.getByTestId("conversation-views").getByRole("row").filter({ hasText: REASON });
    await expect(row).toContainText("Bob Brown");
    await expect(row).toContainText(`Draft the Initech quote ${tag}`);
  });

  test("bob cannot open a conversation of someone outside his team", async ({ sessionFor }) => {
    const dan = await sessionFor(USERS.dan.email);
    await dan.sendAndWaitForReply(`Support notes ${crypto.randomUUID().slice(0, 8)}`);
    const danConversation = dan.conversationId();
    const danId = (await (await dan.page.request.get("/api/me")).json()) as { id: string };

    const bob = await sessionFor(USERS.bob.email);
    for (const url of [`/team/${danId.id}`, `/team/${danId.id}/${danConversation}`]) {
      const res = await bob.page.goto(url);
      expect(res?.status()).toBe(404);
      await expect(bob.page.getByRole("heading", { name: "Not found" })).toBeVisible();
    }
    await dan.page.goto("/settings/privacy");
    await expect(dan.page.getByText("Nobody has viewed your conversations.")).toBeVisible();
  });

  test("members have no team view at all", async ({ sessionFor }) => {
    const alice = await sessionFor(USERS.alice.email);
    await expect(alice.page.getByRole("link", { name: "Team conversations" })).toHaveCount(0);
    const res = await alice.page.goto("/team");
    expect(res?.status()).toBe(404);
  });
});
