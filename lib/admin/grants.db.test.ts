import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/apikeys";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { createRole, updateRole } from "./roles";
import { updateSettings } from "./settings";
import { addTeamManager } from "./team-managers";
import { expectAppError } from "./test-helpers";
import { changeUserRole } from "./update-user";

/**
 * "Nobody grants what they do not hold", on every path that changes what a person may do: a role
 * change, a custom role's permissions, an SSO group mapping, a team manager assignment and an API
 * key's scopes. Each refusal is a 403 and leaves the database (the rows and the audit trail)
 * exactly as it was.
 */
let t: TestDatabase;
let acmeId: string;
const ids: Record<string, string> = {};
const teams: Record<string, string> = {};

/** Holds every console permission that manages something, but reads no one's conversations. */
const CONSOLE_LITE = ["chat.send", "conversation.read.own", "user.manage", "role.manage", "org.settings", "team.manage"];
/** Manages teams and reads the conversations of the teams they manage. */
const TEAM_LEAD = ["chat.send", "conversation.read.own", "team.manage", "conversation.read.team"];
/** Reads conversations, manages keys, cannot chat. */
const READER = ["conversation.read.own", "apikey.manage.own"];

let lite: Principal;
let lead: Principal;
let reader: Principal;

async function customRole(key: string, permissions: string[]) {
  await t.db.prisma.role.create({ data: { orgId: acmeId, key, name: key, permissions } });
}

async function actingAs(email: string, role: string, permissions: string[], managedTeamIds: string[] = []) {
  await t.db.prisma.user.update({ where: { email }, data: { role } });
  return principalFor(await seededUser(t.db, email), { customRolePermissions: permissions, managedTeamIds });
}

/** Everything a grant could change, for the org. */
async function snapshot() {
  const p = t.db.prisma;
  const where = { orgId: acmeId };
  return {
    users: await p.user.findMany({ where, orderBy: { email: "asc" }, select: { email: true, role: true, teamId: true, disabledAt: true } }),
    roles: await p.role.findMany({ where, orderBy: { key: "asc" }, select: { key: true, name: true, permissions: true } }),
    mappings: await p.groupMapping.findMany({ where, orderBy: { position: "asc" }, select: { group: true, roleKey: true, teamId: true, position: true } }),
    managers: await p.teamManager.findMany({ where, orderBy: [{ teamId: "asc" }, { userId: "asc" }], select: { teamId: true, userId: true } }),
    apiKeys: await p.apiKey.findMany({ where, orderBy: { id: "asc" }, select: { id: true, scopes: true } }),
    auditEvents: await p.auditEvent.count({ where }),
  };
}

/** The attempt fails with 403 (message matching `message`), and nothing in the org changed. */
async function refusedAndUnchanged(attempt: () => Promise<unknown>, message: RegExp) {
  const before = await snapshot();
  const e = await expectAppError(attempt(), "forbidden", message);
  expect(e.status).toBe(403);
  expect(await snapshot()).toEqual(before);
  return e;
}

beforeAll(async () => {
  t = await createTestDatabase();
  acmeId = (await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } })).id;
  for (const e of ["alice", "dan", "bob", "carol", "ivan", "heidi"]) {
    ids[e] = (await t.db.prisma.user.findUniqueOrThrow({ where: { email: `${e}@acme.test` } })).id;
  }
  for (const team of await t.db.prisma.team.findMany({ where: { orgId: acmeId } })) teams[team.name] = team.id;
  await customRole("console-lite", CONSOLE_LITE);
  await customRole("team-lead", TEAM_LEAD);
  await customRole("reader", READER);
  await customRole("org-reader", ["chat.send", "conversation.read.own", "conversation.read.org"]);
  lite = await actingAs("ivan@acme.test", "console-lite", CONSOLE_LITE);
  lead = await actingAs("heidi@acme.test", "team-lead", TEAM_LEAD, [teams.Support!]);
  await t.db.prisma.teamManager.create({ data: { orgId: acmeId, teamId: teams.Support!, userId: ids.heidi! } });
  reader = await actingAs("dan@acme.test", "reader", READER);
});
afterAll(async () => t?.dispose());

describe(`nobody grants what they do not hold, on any path (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("a role change", async () => {
    await refusedAndUnchanged(() => changeUserRole(lite, { userId: ids.alice!, role: "admin" }), /the role “Admin”.*conversation\.read\.org/);
    await refusedAndUnchanged(() => changeUserRole(lite, { userId: ids.alice!, role: "manager" }), /conversation\.read\.team/);
    await refusedAndUnchanged(() => changeUserRole(lite, { userId: ids.alice!, role: "org-reader" }), /conversation\.read\.org/);
  });

  it("a custom role's permissions, created or edited", async () => {
    await refusedAndUnchanged(
      () => createRole(lite, { key: "sneaky", name: "Sneaky", permissions: ["chat.send", "audit.read"] }),
      /audit\.read/,
    );
    await refusedAndUnchanged(
      () => updateRole(lite, { key: "console-lite", body: { permissions: [...CONSOLE_LITE, "conversation.read.org"] as never } }),
      /conversation\.read\.org/,
    );
    await refusedAndUnchanged(
      () => updateRole(lite, { key: "team-lead", body: { permissions: [...TEAM_LEAD, "budget.manage"] as never } }),
      /budget\.manage/,
    );
  });

  it("an SSO group mapping: each mapped role is checked like a direct role change, naming the mapping", async () => {
    const e = await refusedAndUnchanged(
      () => updateSettings(lite, { groupMappings: [{ group: "acme-admins", roleKey: "admin" }] }),
      /“acme-admins” → admin.*conversation\.read\.org/,
    );
    expect(e.fields).toEqual([{ field: "groupMappings.0.roleKey", message: expect.stringMatching(/“acme-admins” → admin/) }]);

    // A harmless first mapping does not carry a second one through; each offending one is named.
    const both = await refusedAndUnchanged(
      () =>
        updateSettings(lite, {
          groupMappings: [
            { group: "everyone", roleKey: "member" },
            { group: "leads", roleKey: "manager", teamId: teams.Sales! },
            { group: "readers", roleKey: "org-reader" },
          ],
        }),
      /“leads” → manager/,
    );
    expect(both.fields?.map((f) => f.field)).toEqual(["groupMappings.1.roleKey", "groupMappings.2.roleKey"]);

    // Other settings sent alongside are not applied either (one transaction).
    await refusedAndUnchanged(
      () => updateSettings(lite, { devLoginEnabled: false, groupMappings: [{ group: "acme-admins", roleKey: "admin" }] }),
      /acme-admins/,
    );
    expect((await t.db.prisma.org.findUniqueOrThrow({ where: { id: acmeId } })).devLoginEnabled).toBe(true);

    // Within what they hold it works: the baseline role, and team-only mappings.
    const ok = await updateSettings(lite, {
      groupMappings: [
        { group: "everyone", roleKey: "member" },
        { group: "sales", teamId: teams.Sales! },
      ],
    });
    expect(ok.groupMappings.map((m) => m.group)).toEqual(["everyone", "sales"]);
    // An admin may map onto admin.
    const carol = principalFor(await seededUser(t.db, "carol@acme.test"));
    expect((await updateSettings(carol, { groupMappings: [{ group: "acme-admins", roleKey: "admin" }] })).groupMappings).toHaveLength(1);
    // Once an admin mapping exists, lite cannot resubmit the list with it (order decides who wins).
    await refusedAndUnchanged(
      () =>
        updateSettings(lite, {
          groupMappings: [
            { group: "acme-admins", roleKey: "admin" },
            { group: "everyone", roleKey: "member" },
          ],
        }),
      /acme-admins/,
    );
  });

  it("a team manager assignment widens the new manager's read: only a reader of that team may make it", async () => {
    // team.manage alone does not read anyone's conversations, so it cannot hand that out.
    await refusedAndUnchanged(
      () => addTeamManager(lite, { teamId: teams.Support!, userId: ids.bob! }),
      /manager of “Support”.*conversation\.read\.org/,
    );
    // Even for someone whose role cannot read the team today: it becomes live with their role.
    await refusedAndUnchanged(() => addTeamManager(lite, { teamId: teams.Sales!, userId: ids.alice! }), /Sales/);
    // A team reader may not widen the read to a team they do not manage…
    await refusedAndUnchanged(() => addTeamManager(lead, { teamId: teams.Sales!, userId: ids.alice! }), /Sales/);
    // …but may add a co-manager to the team they manage; an org-wide reader (admin) to any.
    expect((await addTeamManager(lead, { teamId: teams.Support!, userId: ids.bob! })).email).toBe("bob@acme.test");
    const carol = principalFor(await seededUser(t.db, "carol@acme.test"));
    expect((await addTeamManager(carol, { teamId: teams.Sales!, userId: ids.dan! })).email).toBe("dan@acme.test");
  });

  it("an API key's scopes: a scope the owner's role cannot back is refused", async () => {
    const e = await refusedAndUnchanged(() => createApiKey(reader, { name: "chatty", scopes: ["chat"] }), /“chat” scope.*chat\.send/);
    expect(e.fields?.[0]?.field).toBe("scopes");
    await refusedAndUnchanged(() => createApiKey(reader, { name: "both", scopes: ["read", "chat"] }), /chat\.send/);
    // What the role holds is fine.
    expect((await createApiKey(reader, { name: "reading", scopes: ["read"] })).scopes).toEqual(["read"]);
  });
});
