import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { createTeam } from "./create-team";
import { deleteTeam } from "./delete-team";
import { listTeamMembers, listTeams, searchPeople } from "./list-teams";
import { renameTeam } from "./rename-team";
import { addTeamManager, removeTeamManager } from "./team-managers";
import { removeTeamMember, setTeamMember } from "./team-members";
import { expectAppError } from "./test-helpers";
import { deactivateUser } from "./update-user";

let t: TestDatabase;
let carol: Principal;
let erin: Principal;
let bobP: Principal;
const ids: Record<string, string> = {};

const user = (email: string) => t.db.prisma.user.findUniqueOrThrow({ where: { email } });
const audit = (action: string, targetId: string) =>
  t.db.prisma.auditEvent.findMany({ where: { action, targetId }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  t = await createTestDatabase();
  carol = principalFor(await seededUser(t.db, "carol@acme.test"));
  erin = principalFor(await seededUser(t.db, "erin@globex.test"));
  bobP = principalFor(await seededUser(t.db, "bob@acme.test"));
  for (const e of ["alice", "dan", "bob", "carol", "ivan"]) ids[e] = (await user(`${e}@acme.test`)).id;
  for (const e of ["erin", "frank"]) ids[e] = (await user(`${e}@globex.test`)).id;
});
afterAll(async () => t?.dispose());

describe(`admin teams (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("lists the org's teams with member counts and managers (and whether they can read the team)", async () => {
    const teams = await listTeams(carol);
    expect(
      teams.map((x) => [x.name, x.memberCount, x.managers.map((m) => [m.email, m.canReadTeam])]),
    ).toEqual([
      ["Sales", 2, [["bob@acme.test", true]]],
      ["Support", 2, []],
    ]);
    expect(await listTeams(erin)).toEqual([]);
    const sales = teams[0]!;
    expect((await listTeamMembers(carol, { teamId: sales.id })).map((m) => m.email)).toEqual([
      "alice@acme.test",
      "bob@acme.test",
    ]);
    await expectAppError(listTeamMembers(erin, { teamId: sales.id }), "not_found");
  });

  it("creates, renames and deletes a team, each with its audit event; names are unique ignoring case", async () => {
    const ops = await createTeam(carol, { name: "  Operations " }, { requestId: "req-t1" });
    expect(ops).toMatchObject({ name: "Operations", memberCount: 0, managers: [] });
    expect((await audit("team.created", ops.id))[0]).toMatchObject({
      requestId: "req-t1",
      data: { from: null, to: { name: "Operations" } },
    });

    const dup = await expectAppError(createTeam(carol, { name: "operations" }), "conflict", /already exists/);
    expect(dup.fields?.[0]?.field).toBe("name");
    await expectAppError(createTeam(carol, { name: "   " }), "validation_failed");
    // Another org may use the same name.
    const globexOps = await createTeam(erin, { name: "Operations" });

    await expectAppError(renameTeam(carol, { teamId: ops.id, body: { name: "SALES" } }), "conflict");
    expect(await renameTeam(carol, { teamId: ops.id, body: { name: "Ops" } })).toEqual({
      id: ops.id,
      name: "Ops",
    });
    expect((await audit("team.renamed", ops.id))[0]?.data).toEqual({ from: "Operations", to: "Ops" });

    // A member, a manager and an SSO mapping: deleting keeps the person, without a team.
    await setTeamMember(carol, { teamId: ops.id, userId: ids.dan! });
    await addTeamManager(carol, { teamId: ops.id, userId: ids.bob! });
    await t.db.prisma.groupMapping.create({
      data: { orgId: carol.orgId, group: "ops-people", teamId: ops.id },
    });
    await deleteTeam(carol, { teamId: ops.id });
    expect(await t.db.prisma.team.findUnique({ where: { id: ops.id } })).toBeNull();
    expect((await user("dan@acme.test")).teamId).toBeNull();
    expect(await t.db.prisma.teamManager.count({ where: { teamId: ops.id } })).toBe(0);
    expect((await audit("team.deleted", ops.id))[0]?.data).toEqual({
      from: { name: "Ops", members: 1, managers: 1, mappings: 1 },
      to: null,
    });
    await expectAppError(deleteTeam(carol, { teamId: ops.id }), "not_found");
    expect(await t.db.prisma.team.findUnique({ where: { id: globexOps.id } })).not.toBeNull();
    // Put dan back in Support for the other tests.
    const support = (await listTeams(carol)).find((x) => x.name === "Support")!;
    await setTeamMember(carol, { teamId: support.id, userId: ids.dan! });
  });

  it("adds and removes managers (idempotently), warns through canReadTeam, audits each change", async () => {
    const support = (await listTeams(carol)).find((x) => x.name === "Support")!;
    const added = await addTeamManager(
      carol,
      { teamId: support.id, userId: ids.alice! },
      { requestId: "req-m1" },
    );
    expect(added).toMatchObject({ email: "alice@acme.test", canReadTeam: false });
    await addTeamManager(carol, { teamId: support.id, userId: ids.alice! });
    await addTeamManager(carol, { teamId: support.id, userId: ids.bob! });
    const after = (await listTeams(carol)).find((x) => x.name === "Support")!;
    expect(after.managers.map((m) => [m.email, m.canReadTeam])).toEqual([
      ["alice@acme.test", false],
      ["bob@acme.test", true],
    ]);
    const events = await audit("team.manager_added", support.id);
    expect(events.map((e) => (e.data as { email: string }).email)).toEqual([
      "alice@acme.test",
      "bob@acme.test",
    ]);
    expect(events[0]?.requestId).toBe("req-m1");

    await removeTeamManager(carol, { teamId: support.id, userId: ids.alice! });
    await removeTeamManager(carol, { teamId: support.id, userId: ids.alice! });
    await removeTeamManager(carol, { teamId: support.id, userId: ids.bob! });
    expect((await listTeams(carol)).find((x) => x.name === "Support")!.managers).toEqual([]);
    expect(await audit("team.manager_removed", support.id)).toHaveLength(2);
    // Bob still manages Sales.
    expect((await listTeams(carol)).find((x) => x.name === "Sales")!.managers.map((m) => m.email)).toEqual([
      "bob@acme.test",
    ]);
  });

  it("refuses a deactivated person as manager", async () => {
    const support = (await listTeams(carol)).find((x) => x.name === "Support")!;
    await deactivateUser(carol, { userId: ids.ivan! });
    await expectAppError(
      addTeamManager(carol, { teamId: support.id, userId: ids.ivan! }),
      "conflict",
      /reactivate/,
    );
    await t.db.prisma.user.update({ where: { id: ids.ivan! }, data: { disabledAt: null } });
  });

  it("sets and removes members through the team", async () => {
    const support = (await listTeams(carol)).find((x) => x.name === "Support")!;
    await setTeamMember(carol, { teamId: support.id, userId: ids.ivan! });
    expect((await listTeamMembers(carol, { teamId: support.id })).map((m) => m.email)).toEqual([
      "dan@acme.test",
      "heidi@acme.test",
      "ivan@acme.test",
    ]);
    await removeTeamMember(carol, { teamId: support.id, userId: ids.ivan! });
    await removeTeamMember(carol, { teamId: support.id, userId: ids.ivan! });
    expect((await user("ivan@acme.test")).teamId).toBeNull();
    // Removing someone who is in another team does not move them.
    await removeTeamMember(carol, { teamId: support.id, userId: ids.alice! });
    expect((await user("alice@acme.test")).teamId).not.toBeNull();
    expect((await audit("user.team_changed", ids.ivan!)).map((e) => e.data)).toEqual([
      { email: "ivan@acme.test", from: null, to: { id: support.id, name: "Support" } },
      { email: "ivan@acme.test", from: { id: support.id, name: "Support" }, to: null },
    ]);
  });

  it("searches enabled people of the org only", async () => {
    expect((await searchPeople(carol, { q: "AN" })).map((x) => x.email)).toEqual([
      "dan@acme.test",
      "ivan@acme.test",
    ]);
    await t.db.prisma.user.update({ where: { id: ids.dan! }, data: { disabledAt: new Date() } });
    expect((await searchPeople(carol, { q: "an" })).map((x) => x.email)).toEqual(["ivan@acme.test"]);
    await t.db.prisma.user.update({ where: { id: ids.dan! }, data: { disabledAt: null } });
    expect(await searchPeople(carol, { q: "", limit: 2 })).toHaveLength(2);
    expect(await searchPeople(carol, { q: "frank" })).toEqual([]);
    expect((await searchPeople(erin, { q: "" })).map((x) => x.email)).toEqual([
      "erin@globex.test",
      "frank@globex.test",
    ]);
  });

  it("another org's team or user is not found, and nothing changes", async () => {
    const sales = (await listTeams(carol)).find((x) => x.name === "Sales")!;
    const before = await t.db.prisma.team.findUniqueOrThrow({ where: { id: sales.id } });
    await expectAppError(renameTeam(erin, { teamId: sales.id, body: { name: "Pwned" } }), "not_found");
    await expectAppError(deleteTeam(erin, { teamId: sales.id }), "not_found");
    await expectAppError(addTeamManager(erin, { teamId: sales.id, userId: ids.erin! }), "not_found");
    await expectAppError(removeTeamManager(erin, { teamId: sales.id, userId: ids.bob! }), "not_found");
    await expectAppError(setTeamMember(erin, { teamId: sales.id, userId: ids.frank! }), "not_found");
    // Carol cannot pull a Globex person into Acme's team.
    await expectAppError(addTeamManager(carol, { teamId: sales.id, userId: ids.frank! }), "not_found");
    await expectAppError(setTeamMember(carol, { teamId: sales.id, userId: ids.frank! }), "not_found");
    expect(await t.db.prisma.team.findUniqueOrThrow({ where: { id: sales.id } })).toEqual(before);
    expect(
      await t.db.prisma.teamManager.findMany({ where: { teamId: sales.id }, select: { userId: true } }),
    ).toEqual([{ userId: ids.bob }]);
    expect((await user("frank@globex.test")).teamId).toBeNull();
  });

  it("body tampering cannot move a team to another org", async () => {
    const team = await createTeam(carol, {
      name: "Tamper",
      orgId: erin.orgId,
      id: "chosen-id",
    } as unknown as { name: string });
    const row = await t.db.prisma.team.findUniqueOrThrow({ where: { id: team.id } });
    expect(row.orgId).toBe(carol.orgId);
    expect(row.id).not.toBe("chosen-id");
    await renameTeam(carol, {
      teamId: team.id,
      body: { name: "Tamper 2", orgId: erin.orgId } as unknown as { name: string },
    });
    expect((await t.db.prisma.team.findUniqueOrThrow({ where: { id: team.id } })).orgId).toBe(carol.orgId);
    await deleteTeam(carol, { teamId: team.id });
  });

  it("requires team.manage", async () => {
    await expectAppError(listTeams(bobP), "not_found");
    await expectAppError(createTeam(bobP, { name: "Mine" }), "not_found");
    expect(await t.db.prisma.team.count({ where: { name: "Mine" } })).toBe(0);
  });
});
