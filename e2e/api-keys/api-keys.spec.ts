import type { APIRequestContext } from "@playwright/test";
import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { KeysPage } from "../fixtures/pages/keys-page";

/**
 * Settings → API keys: a key is shown once and only its prefix afterwards; revoking stops it at
 * once; keys are private to their owner (another user neither sees nor can revoke them, 404);
 * a key cannot manage keys.
 */

const tag = () => crypto.randomUUID().slice(0, 8);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function keyWorks(request: APIRequestContext, key: string): Promise<number> {
  return (await request.get("/api/v1/models", { headers: bearer(key) })).status();
}

test.describe("API keys in settings", () => {
  test("a new key is shown once; after a reload only its prefix is listed", async ({ signInAs, page, request }) => {
    await signInAs(USERS.alice.email);
    const keys = new KeysPage(page);
    await keys.goto();
    const name = `Laptop ${tag()}`;
    // The scope choices come with their descriptions from the catalog.
    await expect(keys.scopeCheckbox("chat")).toBeChecked();
    await expect(keys.scopeCheckbox("read")).not.toBeChecked();
    await expect(page.getByText("Chat through the API (and read, rename and delete the resulting conversations).")).toBeVisible();

    const { key, prefix } = await keys.create(name, { expiry: "In 30 days" });
    await expect(keys.newKeyValue).toBeFocused();
    await expect(keys.newKeyPanel).toContainText("It will not be shown again");
    await keys.copyButton.click();
    await expect(keys.newKeyPanel.getByText(/Copied to the clipboard|press Ctrl\+C/)).toBeVisible();

    const row = keys.row(name);
    await expect(row).toContainText(`${prefix}…`);
    await expect(row).toContainText("chat");
    await expect(row).toContainText("Last used");
    await expect(row).toContainText("Never");
    await expect(row.getByText("Revoked", { exact: true })).toHaveCount(0);
    expect(await keyWorks(request, key)).toBe(200);

    // Dismissed, the key is gone from the page.
    await keys.hideNewKeyButton.click();
    await expect(keys.newKeyPanel).toHaveCount(0);
    expect(await page.content()).not.toContain(key);

    // Reloaded: the prefix is listed, the key itself is nowhere, neither in the page nor the API.
    await keys.reload();
    await expect(keys.newKeyPanel).toHaveCount(0);
    await expect(keys.row(name)).toContainText(`${prefix}…`);
    expect(await page.content()).not.toContain(key);
    const listing = await page.request.get("/api/keys");
    expect(listing.status()).toBe(200);
    const text = await listing.text();
    expect(text).not.toContain(key);
    expect(text).not.toContain('"hash"');
    const listed = (JSON.parse(text) as { items: Array<{ name: string; prefix: string; expiresAt: string | null; lastUsedAt: string | null }> }).items.find(
      (k) => k.name === name,
    );
    expect(listed).toMatchObject({ prefix });
    expect(listed?.expiresAt).not.toBeNull();
    // It was used above (GET /api/v1/models): the list says so.
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  test("revoking a key, after confirming, stops it at once", async ({ signInAs, page, request }) => {
    await signInAs(USERS.alice.email);
    const keys = new KeysPage(page);
    await keys.goto();
    const name = `Revoke me ${tag()}`;
    const { key } = await keys.create(name);
    expect(await keyWorks(request, key)).toBe(200);

    // Cancelling the confirmation changes nothing (and Escape cancels too).
    const row = keys.row(name);
    await row.getByRole("button", { name: `Revoke ${name}`, exact: true }).click();
    await row.getByRole("button", { name: "Cancel", exact: true }).click();
    await expect(row.getByRole("button", { name: `Revoke ${name}`, exact: true })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(row.getByRole("button", { name: "Revoke key", exact: true })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(row.getByRole("button", { name: "Revoke key", exact: true })).toHaveCount(0);
    expect(await keyWorks(request, key)).toBe(200);

    await keys.revoke(name);
    const res = await request.get("/api/v1/models", { headers: bearer(key) });
    expect(res.status()).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
    await expectApiError(await request.get("/api/conversations", { headers: bearer(key) }), 401, "unauthorized");

    await keys.reload();
    await expect(keys.row(name).getByText("Revoked", { exact: true })).toBeVisible();
    await expect(keys.row(name).getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);
  });

  test("another user sees an empty list, cannot see or revoke alice's key (404), and keys cannot manage keys", async ({ sessionFor, request }) => {
    const frank = await sessionFor(USERS.frank.email);
    const frankKeys = new KeysPage(frank.page);
    await frankKeys.goto();
    await expect(frankKeys.emptyNotice).toBeVisible();
    await expect(frankKeys.emptyNotice).toContainText("You have no API keys yet");

    const alice = await sessionFor(USERS.alice.email);
    const aliceKeys = new KeysPage(alice.page);
    await aliceKeys.goto();
    const name = `Alice private ${tag()}`;
    const { key, id } = await aliceKeys.create(name);

    // Frank's page and API know nothing of it.
    await frankKeys.reload();
    await expect(frankKeys.emptyNotice).toBeVisible();
    await expect(frank.page.getByText(name)).toHaveCount(0);
    const frankList = (await (await frank.page.request.get("/api/keys")).json()) as { items: Array<{ id: string }> };
    expect(frankList.items.map((k) => k.id)).not.toContain(id);

    // Revoking it is not found, exactly as for a key that does not exist; nothing changes.
    await expectApiError(await frank.page.request.delete(`/api/keys/${id}`), 404, "not_found");
    await expectApiError(await frank.page.request.delete("/api/keys/no-such-key"), 404, "not_found");
    expect(await keyWorks(request, key)).toBe(200);
    await aliceKeys.reload();
    expect((await aliceKeys.listed(name)).revoked).toBe(false);

    // A key cannot list, create or revoke keys, even its own: 403, and nothing is created.
    for (const res of [
      await request.get("/api/keys", { headers: bearer(key) }),
      await request.post("/api/keys", { headers: bearer(key), data: { name: "escalated", scopes: ["chat"] } }),
      await request.delete(`/api/keys/${id}`, { headers: bearer(key) }),
    ]) {
      await expectApiError(res, 403, "forbidden");
    }
    await aliceKeys.reload();
    await expect(aliceKeys.row("escalated")).toHaveCount(0);
    expect((await aliceKeys.listed(name)).revoked).toBe(false);

    // Without a session or key: 401.
    await expectApiError(await request.get("/api/keys"), 401, "unauthorized");
    await expectApiError(await request.post("/api/keys", { data: { name: "x", scopes: ["chat"] } }), 401, "unauthorized");
  });

  test("the form explains what is wrong", async ({ signInAs, page }) => {
    await signInAs(USERS.alice.email);
    const keys = new KeysPage(page);
    await keys.goto();
    await keys.createButton.click();
    await expect(page.getByText("Give the key a name.")).toBeVisible();
    await keys.nameInput.fill(`No scopes ${tag()}`);
    await keys.scopeCheckbox("chat").uncheck();
    await keys.createButton.click();
    await expect(page.getByText("Choose at least one scope.")).toBeVisible();
    await expect(keys.newKeyPanel).toHaveCount(0);
    // The API refuses the same with 422 naming the field.
    const res = await page.request.post("/api/keys", { data: { name: "x", scopes: [] } });
    const body = await expectApiError(res, 422, "validation_failed");
    expect(JSON.stringify(body)).toContain("scopes");
  });
});
