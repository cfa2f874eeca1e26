import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { AdminLimitsPage } from "../fixtures/pages/admin-limits-page";

/**
 * Admin → Limits as carol (Acme's admin) uses it, on a scratch team of this spec's own (the server
 * is shared with specs running in parallel), and as everyone else does not see it.
 */
test("an admin sets, edits and removes a team's override; a bad value is refused at its field", async ({ page, signInAs }) => {
  await signInAs(USERS.carol.email);
  const teamName = `Limits e2e ${crypto.randomUUID().slice(0, 6)}`;
  const created = await page.request.post("/api/admin/teams", { data: { name: teamName } });
  expect(created.status()).toBe(201);
  const team = (await created.json()) as { id: string };
  try {
    const limits = new AdminLimitsPage(page);
    await page.goto("/admin");
    await limits.nav.getByRole("link", { name: "Limits" }).click();
    await limits.expectReady();
    await expect(limits.defaults).toContainText("Turns at once, per person3");

    // Refused: a negative number, named at its field; nothing is added.
    await limits.setOverride("Team", teamName, { "Tokens per minute": "-5" });
    await expect(page.getByText("Tokens per minute: must be at least 1")).toBeVisible();
    await expect(limits.field("Tokens per minute")).toHaveAttribute("aria-invalid", "true");
    await expect(limits.row(`Team: ${teamName}`)).toHaveCount(0);

    await limits.field("Tokens per minute").fill("");
    await limits.field("Turns per minute").fill("50");
    await limits.saveButton.click();
    await limits.expectRow(`Team: ${teamName}`, ["50", "—", "—"]);

    // Edit: the form is filled from the row; change it.
    await limits.row(`Team: ${teamName}`).getByRole("button", { name: "Edit" }).click();
    await expect(limits.field("Turns per minute")).toHaveValue("50");
    await limits.field("Turns at once").fill("2");
    await limits.saveButton.click();
    await limits.expectRow(`Team: ${teamName}`, ["50", "—", "2"]);
    await limits.reload();
    await limits.expectRow(`Team: ${teamName}`, ["50", "—", "2"]);

    // The API says the same, and the change is in the audit trail.
    const overview = (await (await page.request.get("/api/admin/limits")).json()) as { overrides: Array<{ id: string; subjectId: string; userRpm: number; maxConcurrentTurns: number }> };
    const override = overview.overrides.find((o) => o.subjectId === team.id);
    expect(override).toMatchObject({ userRpm: 50, maxConcurrentTurns: 2 });
    const trail = async () =>
      ((await (await page.request.get("/api/admin/audit/events?action=limit.&limit=200")).json()) as { items: Array<{ action: string; target: { id: string } | null }> }).items
        .filter((e) => e.target?.id === override!.id)
        .map((e) => e.action);
    expect(await trail()).toEqual(["limit.set", "limit.set"]);

    // Remove, confirmed in a dialog.
    await limits.row(`Team: ${teamName}`).getByRole("button", { name: "Remove" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove override" }).click();
    await expect(limits.row(`Team: ${teamName}`)).toHaveCount(0);
    expect(await trail()).toEqual(["limit.removed", "limit.set", "limit.set"]); // newest first
  } finally {
    await page.request.delete(`/api/admin/limits/team/${team.id}`);
    await page.request.delete(`/api/admin/teams/${team.id}`);
  }
});

test("members, managers and auditors get the Not found page and 404 JSON", async ({ sessionFor }) => {
  for (const who of [USERS.alice, USERS.bob, USERS.ivan]) {
    const chat = await sessionFor(who.email);
    const res = await chat.page.goto("/admin/limits");
    expect(res?.status(), who.email).toBe(404);
    await expect(chat.page.getByRole("heading", { name: "Not found" })).toBeVisible();
    const api = chat.page.request;
    await expectApiError(await api.get("/api/admin/limits"), 404, "not_found");
    await expectApiError(await api.put("/api/admin/limits/role/member", { data: { userRpm: 1 } }), 404, "not_found");
    await expectApiError(await api.delete("/api/admin/limits/role/member"), 404, "not_found");
  }
});
