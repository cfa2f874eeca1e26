import { expect, test, USERS } from "../fixtures/auth";

/**
 * Justified views: a manager outside the person's team, an admin of another org, and any member
 * get the Not found page at every step, and nothing is recorded for the owner.
 */
test("nobody outside the scope reaches the justification form or the transcript", async ({ sessionFor }) => {
  const alice = await sessionFor(USERS.alice.email);
  await alice.sendAndWaitForReply(`View probe ${crypto.randomUUID().slice(0, 8)}`);
  const conversationId = alice.conversationId();
  const me = (await (await alice.page.request.get("/api/me")).json()) as { id: string };

  // erin is an admin, but of Globex: her org view does not include alice.
  const erin = (await sessionFor(USERS.erin.email)).page;
  await erin.goto("/team");
  await expect(erin.getByRole("heading", { name: "Team conversations" })).toBeVisible();
  await expect(erin.getByRole("link", { name: /Alice Adams/ })).toHaveCount(0);

  for (const email of [USERS.erin.email, USERS.frank.email, USERS.dan.email]) {
    const page = (await sessionFor(email)).page;
    const urls = [`/team/${me.id}`, `/team/${me.id}/${conversationId}`, "/team/view/not-a-view"];
    if (email !== USERS.erin.email) urls.unshift("/team");
    for (const url of urls) {
      const res = await page.goto(url);
      expect(res?.status(), `${email} at ${url}`).toBe(404);
      await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    }
  }
  await alice.page.goto("/settings/privacy");
  await expect(alice.page.getByTestId("conversation-views").getByText(conversationId)).toHaveCount(0);
});
