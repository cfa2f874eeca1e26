import { expect, test, USERS } from "../fixtures/auth";
import { expectRefusedAndUnchanged, jsonOf } from "../fixtures/unauthorized";

/**
 * The admin families (users, teams, roles, org settings): members, managers and auditors of Acme
 * get 404 on every route, and so does Globex's admin on Acme's ids; Acme's records are unchanged
 * afterwards, as carol sees them.
 */
test("users, teams, roles and settings of Acme cannot be read or changed by non-admins or another org's admin", async ({
  sessionFor,
}) => {
  const carol = (await sessionFor(USERS.carol.email)).page.request;
  const users = (await jsonOf(await carol.get("/api/admin/users?limit=100"))) as { items: Array<{ id: string; email: string }> };
  const dan = users.items.find((u) => u.email === USERS.dan.email)!;
  const teams = (await jsonOf(await carol.get("/api/admin/teams"))) as { items: Array<{ id: string; name: string }> };
  const sales = teams.items.find((t) => t.name === "Sales")!;
  const roleKey = `probe-${crypto.randomUUID().slice(0, 6)}`;
  expect((await carol.post("/api/admin/roles", { data: { key: roleKey, name: "Probe", permissions: ["chat.send"] } })).status()).toBe(201);
  // Only what these attempts could touch: other specs run alongside and legitimately change
  // other rows (their own teams and roles, sign-in times).
  const snapshot = async () => {
    const { lastSignInAt: _ignored, ...danNow } = (await jsonOf(await carol.get(`/api/admin/users/${dan.id}`))) as Record<string, unknown>;
    const teamsNow = (await jsonOf(await carol.get("/api/admin/teams"))) as { items: Array<{ id: string }> };
    const rolesNow = (await jsonOf(await carol.get("/api/admin/roles"))) as { roles: Array<{ key: string }> };
    const settingsNow = (await jsonOf(await carol.get("/api/admin/settings"))) as Record<string, unknown>;
    return {
      dan: danNow,
      sales: teamsNow.items.find((t) => t.id === sales.id),
      roles: rolesNow.roles.filter((r) => r.key === roleKey || r.key === "pwn"),
      settings: { emailDomains: settingsNow.emailDomains, groupMappings: settingsNow.groupMappings, devLoginEnabled: settingsNow.devLoginEnabled, auditContent: settingsNow.auditContent },
    };
  };

  for (const email of [USERS.alice.email, USERS.bob.email, USERS.ivan.email, USERS.erin.email]) {
    const intruder = (await sessionFor(email)).page.request;
    const attempts = [
      () => intruder.get("/api/admin/users"),
      () => intruder.get(`/api/admin/users/${dan.id}`),
      () => intruder.patch(`/api/admin/users/${dan.id}`, { data: { role: "admin" } }),
      () => intruder.patch(`/api/admin/users/${dan.id}`, { data: { disabled: true } }),
      () => intruder.patch(`/api/admin/teams/${sales.id}`, { data: { name: "Hijacked" } }),
      () => intruder.delete(`/api/admin/teams/${sales.id}`),
      () => intruder.put(`/api/admin/teams/${sales.id}/managers/${dan.id}`),
      () => intruder.post("/api/admin/roles", { data: { key: "pwn", name: "Pwn", permissions: ["user.manage"] } }),
      () => intruder.delete(`/api/admin/roles/${roleKey}`),
      () => intruder.patch(`/api/admin/roles/${roleKey}`, { data: { permissions: ["user.manage", "chat.send"] } }),
      () => intruder.patch("/api/admin/settings", { data: { emailDomains: ["evil.test"] } }),
    ];
    for (const attempt of attempts) {
      // erin is an admin: her routes exist for her, but Acme's ids do not. Listing and
      // settings answer for her own org, so only the Acme-id calls are checked for her.
      if (email === USERS.erin.email && [0, 7, 10].includes(attempts.indexOf(attempt))) continue;
      await expectRefusedAndUnchanged({ snapshot, attempt });
    }
  }

  // erin's own org settings change nothing at Acme, even when the body names Acme's org.
  const erin = (await sessionFor(USERS.erin.email)).page.request;
  const acmeBefore = await snapshot();
  const mine = (await jsonOf(await erin.get("/api/admin/settings"))) as { emailDomains: string[] };
  const res = await erin.patch("/api/admin/settings", { data: { emailDomains: mine.emailDomains, orgId: "acme", devLoginEnabled: true } });
  expect(res.status()).toBe(200);
  expect(await snapshot()).toEqual(acmeBefore);
  expect((await carol.delete(`/api/admin/roles/${roleKey}`)).status()).toBe(204);
});
