import type { APIRequestContext, Page } from "@playwright/test";
import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { AdminRolesPage } from "../fixtures/pages/admin-roles-page";
import { AdminSettingsPage } from "../fixtures/pages/admin-settings-page";
import { AdminTeamsPage } from "../fixtures/pages/admin-teams-page";
import { AdminUsersPage } from "../fixtures/pages/admin-users-page";

/**
 * The admin console at /admin, as carol (Acme's only admin) uses it, and as everyone else does
 * not see it. This server and its database are shared with specs running in parallel: each test
 * puts back what it changed (alice's role, dan's and heidi's status, its own roles, teams and domains), and
 * afterEach does it again through the API should a test fail half-way.
 */

const tag = () => crypto.randomUUID().slice(0, 6);

interface UserDto {
  id: string;
  email: string;
  role: string;
  status: "active" | "disabled";
}

async function findUser(api: APIRequestContext, email: string): Promise<UserDto> {
  const res = await api.get(`/api/admin/users?${new URLSearchParams({ q: email })}`);
  expect(res.status(), await res.text()).toBe(200);
  const user = ((await res.json()) as { items: UserDto[] }).items.find((u) => u.email === email);
  if (!user) throw new Error(`no user ${email}`);
  return user;
}

/** Seed state this spec may touch, restored through carol's API session (no-op if it is intact). */
async function restore(api: APIRequestContext): Promise<void> {
  const probe = await api.get("/api/admin/users?limit=1");
  if (probe.status() !== 200) return; // not an Acme admin's session: nothing this test could change
  const alice = await findUser(api, USERS.alice.email);
  if (alice.role !== "member") await api.patch(`/api/admin/users/${alice.id}`, { data: { role: "member" } });
  const dan = await findUser(api, USERS.dan.email);
  if (dan.status !== "active" || dan.role !== "member")
    await api.patch(`/api/admin/users/${dan.id}`, { data: { disabled: false, role: "member" } });
  const heidi = await findUser(api, USERS.heidi.email);
  if (heidi.status !== "active") await api.patch(`/api/admin/users/${heidi.id}`, { data: { disabled: false } });
  const roles = (await (await api.get("/api/admin/roles")).json()) as {
    roles: Array<{ key: string; builtIn: boolean }>;
  };
  for (const r of roles.roles.filter((x) => !x.builtIn && x.key.startsWith("e2e-")))
    await api.delete(`/api/admin/roles/${r.key}`);
  const teams = (await (await api.get("/api/admin/teams")).json()) as {
    items: Array<{ id: string; name: string }>;
  };
  for (const t of teams.items.filter((x) => x.name.startsWith("E2E ")))
    await api.delete(`/api/admin/teams/${t.id}`);
}

let adminPage: Page | null = null;

test.afterEach(async () => {
  if (adminPage && !adminPage.isClosed()) await restore(adminPage.request);
  adminPage = null;
});

test.describe("admin console", () => {
  test("carol promotes alice from member to manager, and it is still so after a reload", async ({
    page,
    signInAs,
  }) => {
    await signInAs(USERS.carol.email);
    adminPage = page;
    await expect(page.getByRole("link", { name: "Admin" })).toBeVisible();
    await page.getByRole("link", { name: "Admin" }).click();
    await expect(page).toHaveURL(/\/admin\/users$/);
    const users = new AdminUsersPage(page);
    await users.expectReady();
    await expect(users.nav.getByRole("link")).toHaveText([
      "Users",
      "Teams",
      "Roles",
      "Agents",
      "Settings",
      "Models",
      "Limits",
      "Usage",
      "Budgets",
      "Audit log",
    ]);

    // Only Acme's people, Globex's are not listed.
    await expect(users.row(USERS.alice.email)).toBeVisible();
    await expect(users.row(USERS.frank.email)).toHaveCount(0);
    await expect(users.roleSelect(USERS.alice.email)).toHaveValue("member");

    await users.changeRole(USERS.alice.email, "manager");
    await users.reload();
    await expect(users.roleSelect(USERS.alice.email)).toHaveValue("manager");
    await expect(users.teamSelect(USERS.alice.email)).toHaveValue(/.+/); // still in Sales
    expect((await findUser(page.request, USERS.alice.email)).role).toBe("manager");

    // Back to member, through the UI.
    await users.changeRole(USERS.alice.email, "member");
    await users.reload();
    await expect(users.roleSelect(USERS.alice.email)).toHaveValue("member");
  });

  test("search (debounced) and filters narrow the list; an empty result says so", async ({
    page,
    signInAs,
  }) => {
    await signInAs(USERS.carol.email);
    adminPage = page;
    const users = new AdminUsersPage(page);
    await users.goto();
    await users.search.fill("DIAZ");
    await expect(users.row(USERS.dan.email)).toBeVisible();
    await expect(users.row(USERS.alice.email)).toHaveCount(0);
    await users.search.fill("nobody-here-zzz");
    await expect(page.getByText("No one matches these filters.")).toBeVisible();
    await page.getByRole("button", { name: "Clear the filters" }).click();
    await expect(users.row(USERS.alice.email)).toBeVisible();
    await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("admin");
    await expect(users.row(USERS.carol.email)).toBeVisible();
    await expect(users.row(USERS.alice.email)).toHaveCount(0);
  });

  test("people without an admin permission get the Not found page and 404 JSON", async ({
    sessionFor,
    page,
    signInAs,
  }) => {
    await signInAs(USERS.carol.email);
    adminPage = page;
    const carolId = (await findUser(page.request, USERS.carol.email)).id;

    for (const who of [USERS.alice, USERS.dan, USERS.bob]) {
      const chat = await sessionFor(who.email);
      // A manager reads their teams' usage in the console (usage.read.team): /admin opens there; nothing else.
      const manager = who === USERS.bob;
      await expect(chat.page.getByRole("link", { name: "Admin" })).toHaveCount(manager ? 1 : 0);
      for (const path of [...(manager ? [] : ["/admin"]), "/admin/users", "/admin/teams", "/admin/roles", "/admin/agents", "/admin/agents/writing", "/admin/settings", "/admin/models"]) {
        const res = await chat.page.goto(path);
        expect(res?.status(), `${who.email} ${path}`).toBe(404);
        await expect(chat.page.getByRole("heading", { name: "Not found" })).toBeVisible();
        if (!manager) await expect(chat.page.getByRole("navigation", { name: "Admin console" })).toHaveCount(0);
      }
      const api = chat.page.request;
      await expectApiError(await api.get("/api/admin/users"), 404, "not_found");
      await expectApiError(await api.get(`/api/admin/users/${carolId}`), 404, "not_found");
      await expectApiError(
        await api.patch(`/api/admin/users/${carolId}`, { data: { role: "member", disabled: true } }),
        404,
        "not_found",
      );
      await expectApiError(await api.get("/api/admin/teams"), 404, "not_found");
      await expectApiError(await api.post("/api/admin/teams", { data: { name: "Mine" } }), 404, "not_found");
      await expectApiError(await api.get("/api/admin/people?q=a"), 404, "not_found");
      await expectApiError(await api.get("/api/admin/roles"), 404, "not_found");
      await expectApiError(
        await api.post("/api/admin/roles", {
          data: { key: "e2e-mine", name: "Mine", permissions: ["user.manage"] },
        }),
        404,
        "not_found",
      );
      await expectApiError(await api.get("/api/admin/settings"), 404, "not_found");
      await expectApiError(await api.get("/api/admin/models"), 404, "not_found");
      await expectApiError(await api.get("/api/admin/agents"), 404, "not_found");
      await expectApiError(await api.get("/api/admin/agents/writing"), 404, "not_found");
      await expectApiError(
        await api.patch("/api/admin/settings", { data: { devLoginEnabled: false } }),
        404,
        "not_found",
      );
    }

    // Nothing changed.
    const carol = await findUser(page.request, USERS.carol.email);
    expect(carol).toMatchObject({ role: "admin", status: "active" });
    const teams = (await (await page.request.get("/api/admin/teams")).json()) as {
      items: Array<{ name: string }>;
    };
    expect(teams.items.map((t) => t.name)).not.toContain("Mine");
    const settings = (await (await page.request.get("/api/admin/settings")).json()) as {
      devLoginEnabled: boolean;
    };
    expect(settings.devLoginEnabled).toBe(true);
  });

  test("the admin API answers 401 without a session; another org's ids are not found; body tampering changes nothing", async ({
    page,
    signInAs,
    sessionFor,
    playwright,
    baseURL,
  }) => {
    const anonymous = await playwright.request.newContext({ baseURL });
    await expectApiError(await anonymous.get("/api/admin/users"), 401, "unauthorized");
    await expectApiError(
      await anonymous.patch("/api/admin/users/x", { data: { role: "admin" } }),
      401,
      "unauthorized",
    );
    await anonymous.dispose();

    await signInAs(USERS.erin.email);
    const erinApi = page.request;
    const erinSees = (await (await erinApi.get("/api/admin/users")).json()) as { items: UserDto[] };
    expect(erinSees.items.map((u) => u.email).sort()).toEqual([USERS.erin.email, USERS.frank.email]);
    const frank = await findUser(erinApi, USERS.frank.email);

    const carol = await sessionFor(USERS.carol.email);
    adminPage = carol.page;
    const carolApi = carol.page.request;
    const carolId = (await findUser(carolApi, USERS.carol.email)).id;
    await expectApiError(
      await carolApi.patch(`/api/admin/users/${frank.id}`, { data: { role: "admin" } }),
      404,
      "not_found",
    );
    await expectApiError(
      await carolApi.patch(`/api/admin/users/${frank.id}`, { data: { disabled: true } }),
      404,
      "not_found",
    );
    await expectApiError(
      await erinApi.patch(`/api/admin/users/${carolId}`, { data: { role: "member" } }),
      404,
      "not_found",
    );
    expect(await findUser(erinApi, USERS.frank.email)).toMatchObject({ role: "member", status: "active" });
    expect(await findUser(carolApi, USERS.carol.email)).toMatchObject({ role: "admin", status: "active" });

    // Unknown fields in the body (an orgId, an email) are dropped: only the role is applied.
    const dan = await findUser(carolApi, USERS.dan.email);
    const res = await carolApi.patch(`/api/admin/users/${dan.id}`, {
      data: { role: "member", orgId: "someone-else", email: "x@globex.test", id: frank.id },
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ id: dan.id, email: USERS.dan.email, role: "member" });
    // Bad input names the field.
    const bad = await expectApiError(
      await carolApi.patch(`/api/admin/users/${dan.id}`, { data: { role: "Not A Key" } }),
      422,
      "validation_failed",
    );
    expect(JSON.stringify(bad)).toContain('"field":"role"');
  });

  test("carol deactivates heidi: her open session ends at her next navigation; reactivated, she signs in again", async ({
    page,
    signInAs,
    sessionFor,
  }) => {
    const heidi = await sessionFor(USERS.heidi.email);
    await signInAs(USERS.carol.email);
    adminPage = page;
    const users = new AdminUsersPage(page);
    await users.goto();
    await expect(users.statusBadge(USERS.heidi.email, "Active")).toBeVisible();
    await expect(users.deactivateButton(USERS.carol.email)).toBeDisabled();

    // Cancelling changes nothing.
    await users.deactivateButton(USERS.heidi.email).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await expect(users.statusBadge(USERS.heidi.email, "Active")).toBeVisible();

    await users.deactivate(USERS.heidi.email, USERS.heidi.name);

    await heidi.page.goto("/chat");
    await expect(heidi.page).toHaveURL(/\/signin/);
    await expectApiError(await heidi.page.request.get("/api/me"), 401, "unauthorized");
    await expect(heidi.page.getByRole("button", { name: `Sign in as ${USERS.heidi.email}` })).toHaveCount(0);

    await users.reload();
    await expect(users.statusBadge(USERS.heidi.email, "Deactivated")).toBeVisible();
    await users.reactivate(USERS.heidi.email);
    await users.reload();
    await expect(users.statusBadge(USERS.heidi.email, "Active")).toBeVisible();

    await heidi.page.goto("/signin");
    await heidi.page.getByRole("button", { name: `Sign in as ${USERS.heidi.email}` }).click();
    await expect(heidi.page).toHaveURL(/\/chat/);
    await expect(heidi.currentUser).toHaveText(USERS.heidi.name);
  });

  test("the last-admin guard refuses carol's own demotion and says why", async ({ page, signInAs }) => {
    await signInAs(USERS.carol.email);
    adminPage = page;
    const users = new AdminUsersPage(page);
    await users.goto();
    expect(await users.selectRole(USERS.carol.email, "member")).toBe(409);
    await expect(users.alert(/only active admin/)).toBeVisible();
    await expect(users.alert(/Make someone else an admin before you change your own role/)).toBeVisible();
    await expect(users.roleSelect(USERS.carol.email)).toHaveValue("admin");
    await users.reload();
    await expect(users.roleSelect(USERS.carol.email)).toHaveValue("admin");
    await expect(users.nav).toBeVisible();
  });

  test("custom role: created, edited in the permission matrix, renamed and deleted", async ({
    page,
    signInAs,
  }) => {
    await signInAs(USERS.carol.email);
    adminPage = page;
    const roles = new AdminRolesPage(page);
    await page.goto("/admin");
    await roles.nav.getByRole("link", { name: "Roles" }).click();
    await roles.expectReady();

    // Built-in columns are read-only marks from the catalog.
    await expect(roles.mark("user.manage", "Admin", true)).toBeVisible();
    await expect(roles.mark("user.manage", "Member", false)).toBeVisible();
    await expect(roles.mark("conversation.read.team", "Manager", true)).toBeVisible();
    await expect(
      roles.matrix.getByRole("checkbox", { name: /for (Member|Manager|Admin|Auditor)$/ }),
    ).toHaveCount(0);
    await expect(
      roles.matrix.getByText("Change people's roles and teams; deactivate and reactivate them."),
    ).toBeVisible();

    const t = tag();
    const name = `E2E QA ${t}`;
    await roles.nameInput.fill(name);
    await expect(roles.keyInput).toHaveValue(`e2e-qa-${t}`);
    await roles.create({ name, description: "Reads the audit trail", from: "member" });
    await expect(roles.column(`e2e-qa-${t}`)).toBeVisible();
    await expect(roles.checkbox("chat.send", name)).toBeChecked();
    await expect(roles.checkbox("audit.read", name)).not.toBeChecked();
    await expect(roles.saveButton(name)).toBeDisabled();

    await roles.checkbox("audit.read", name).check();
    await roles.checkbox("usage.read.org", name).check();
    await roles.save(name);
    await roles.reload();
    await expect(roles.checkbox("audit.read", name)).toBeChecked();
    await expect(roles.checkbox("usage.read.org", name)).toBeChecked();
    await expect(roles.checkbox("user.manage", name)).not.toBeChecked();

    await roles.checkbox("usage.read.org", name).uncheck();
    await roles.save(name);
    await roles.reload();
    await expect(roles.checkbox("usage.read.org", name)).not.toBeChecked();
    await expect(roles.checkbox("audit.read", name)).toBeChecked();

    const renamed = `E2E QA leads ${t}`;
    await roles.editDetails(name, { name: renamed });
    await expect(roles.column(`e2e-qa-${t}`)).toContainText(renamed);
    await roles.reload();
    await expect(roles.checkbox("audit.read", renamed)).toBeChecked();

    // A duplicate key is refused, naming the key.
    await roles.nameInput.fill("anything");
    await roles.keyInput.fill(`e2e-qa-${t}`);
    await roles.createButton.click();
    await expect(page.getByText("already in use")).toBeVisible();

    await roles.delete(renamed);
    await expect(roles.column(`e2e-qa-${t}`)).toHaveCount(0);
    await roles.reload();
    await expect(roles.column(`e2e-qa-${t}`)).toHaveCount(0);
  });

  test("teams: create, rename, a manager without team-read permission is flagged, delete", async ({
    page,
    signInAs,
  }) => {
    await signInAs(USERS.carol.email);
    adminPage = page;
    const teams = new AdminTeamsPage(page);
    await teams.goto();
    // Seeded: bob manages Sales and can read its conversations (no warning).
    await expect(teams.removeManagerButton("Sales", USERS.bob.email)).toBeVisible();
    await expect(teams.team("Sales").getByText("Cannot read team conversations")).toHaveCount(0);

    const t = tag();
    await teams.create(`E2E Ops ${t}`);
    await teams.newTeamInput.fill(`e2e ops ${t}`);
    await teams.createButton.click();
    await expect(teams.alert("already exists")).toBeVisible();

    await teams.rename(`E2E Ops ${t}`, `E2E Platform ${t}`);
    const name = `E2E Platform ${t}`;
    await teams.addManager(name, "ivan@acme.test");
    await expect(teams.team(name).getByText("Cannot read team conversations")).toBeVisible();
    await expect(
      teams.team(name).getByRole("status").filter({ hasText: "cannot open this team's conversations" }),
    ).toBeVisible();
    await teams.reload();
    await expect(teams.removeManagerButton(name, "ivan@acme.test")).toBeVisible();
    await teams.removeManagerButton(name, "ivan@acme.test").click();
    await expect(teams.removeManagerButton(name, "ivan@acme.test")).toHaveCount(0);

    await teams.delete(name);
    await teams.reload();
    await expect(teams.team(name)).toHaveCount(0);
    await expect(teams.team("Sales")).toBeVisible();
  });

  test("settings: an email domain is validated inline, refused (422) until DNS proves it, and removed; group mappings are added, reordered and removed", async ({
    page,
    signInAs,
  }) => {
    // Globex's settings: no other spec depends on them on this server.
    await signInAs(USERS.erin.email);
    const settings = new AdminSettingsPage(page);
    await settings.goto();
    await expect(settings.domain(1)).toHaveValue("globex.test");
    await expect(settings.devLoginSwitch).toHaveAttribute("aria-checked", "true");

    const t = tag();
    await settings.addDomainButton.click();
    await expect(settings.domain(2)).toBeFocused();
    await settings.domain(2).fill("not a domain");
    await settings.saveDomains(422);
    await expect(page.getByText("not a domain name like example.com")).toBeVisible();
    await expect(settings.domain(2)).toHaveAttribute("aria-invalid", "true");
    await settings.domain(2).fill("acme.test");
    await settings.saveDomains(409);
    await expect(page.getByText("already used by another organization")).toBeVisible();
    // A domain the org has not proven by DNS cannot be claimed: the field names the TXT record.
    await settings.domain(2).fill(`E2E-${t}.Globex.test`);
    await settings.saveDomains(422);
    await expect(page.getByText(/not verified: publish the TXT record “enclave-domain-verification=\w+” at e2e-/)).toBeVisible();
    await expect(settings.domain(2)).toHaveAttribute("aria-invalid", "true");
    const api = await page.request.patch("/api/admin/settings", { data: { emailDomains: ["globex.test", `e2e-${t}.globex.test`] } });
    expect(api.status()).toBe(422);
    expect(api.headers()["content-type"]).toMatch(/^application\/json/);
    expect(((await api.json()) as { error: { code: string; fields: Array<{ field: string }> } }).error).toMatchObject({
      code: "validation_failed",
      fields: [{ field: "emailDomains.1" }],
    });
    await page.getByRole("button", { name: `Remove email domain E2E-${t}.Globex.test` }).click();
    await settings.reload();
    await expect(settings.domain(1)).toHaveValue("globex.test");
    await expect(settings.domain(2)).toHaveCount(0);

    await settings.addMappingButton.click();
    await settings.group(1).fill(`e2e-first-${t}`);
    await settings.groupRole(1).selectOption("member");
    await settings.addMappingButton.click();
    await settings.group(2).fill(`e2e-second-${t}`);
    await settings.groupRole(2).selectOption("auditor");
    await page.getByRole("button", { name: "Move group 2 up" }).click();
    await settings.saveMappings();
    await settings.reload();
    await expect(settings.group(1)).toHaveValue(`e2e-second-${t}`);
    await expect(settings.groupRole(1)).toHaveValue("auditor");
    await expect(settings.group(2)).toHaveValue(`e2e-first-${t}`);
    await page.getByRole("button", { name: "Remove group 2" }).click();
    await page.getByRole("button", { name: "Remove group 1" }).click();
    await settings.saveMappings();
    await settings.reload();
    await expect(page.getByText("No group mappings.")).toBeVisible();
  });
});
