import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { AdminSettingsPage } from "../fixtures/pages/admin-settings-page";
import { DataPage } from "../fixtures/pages/data-page";

/**
 * Conversation retention: an admin sets how long conversations are kept (a bad value is refused
 * at its field), and everyone in the org sees the policy under Settings → Data. Globex's
 * settings: no other spec on this server depends on its retention (and 90 days purges nothing
 * made during a run).
 */
test("an admin sets conversation retention, a bad value is refused at its field, and members see the policy", async ({ page, signInAs, sessionFor }) => {
  await signInAs(USERS.erin.email);
  const settings = new AdminSettingsPage(page);
  await settings.goto();
  try {
    await expect(settings.keepForever).toBeChecked();
    await expect(settings.retentionDays).toBeDisabled();

    await settings.deleteAfter.check();
    await settings.retentionDays.fill("-5");
    await settings.saveRetention(422);
    await expect(settings.retention.getByText("at least 1 day")).toBeVisible();
    await expect(settings.retentionDays).toHaveAttribute("aria-invalid", "true");

    await settings.retentionDays.fill("90");
    await settings.saveRetention();
    await expect(settings.retention.getByRole("status").getByText("Saved", { exact: true })).toBeVisible();
    await expect(settings.retentionDays).not.toHaveAttribute("aria-invalid", "true");
    await settings.reload();
    await expect(settings.deleteAfter).toBeChecked();
    await expect(settings.retentionDays).toHaveValue("90");

    const frank = await sessionFor(USERS.frank.email);
    const data = new DataPage(frank.page);
    await data.goto();
    await expect(data.retentionPolicy).toHaveText("Your organization deletes conversations 90 days after their last message.");
    // A member cannot change it.
    await expectApiError(await frank.page.request.patch("/api/admin/settings", { data: { retentionDays: 1 } }), 404, "not_found");
    const api = await page.request.patch("/api/admin/settings", { data: { retentionDays: 1e9 } });
    await expectApiError(api, 422, "validation_failed");

    await settings.keepForever.check();
    await settings.saveRetention();
    await data.reload();
    await expect(data.retentionPolicy).toHaveText("Your organization keeps conversations until you delete them.");
  } finally {
    await page.request.patch("/api/admin/settings", { data: { retentionDays: null } });
  }
});
