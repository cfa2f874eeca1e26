import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { unsafeCreateSession, unsafeResolveApiKey, unsafeResolveSession } from "@/lib/db/identity";
import { isAppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { listUsers } from "./list-users";
import { expectAppError } from "./test-helpers";
import { changeUserRole, deactivateUser, reactivateUser, updateUser } from "./update-user";

let t: TestDatabase;
let carol: Principal; // Acme's only admin
let erin: Principal; // Globex admin
let alice: Principal; // Acme member
const ids: Record<string, string> = {};

async function user(email: string) {
  return t.db.prisma.user.findUniqueOrThrow({ where: { email } });
}

async function auditOf(action: string, targetId: string) {
  return t.db.prisma.auditEvent.findMany({ where: { action, targetId }, orderBy: { createdAt: "asc" } });
}

/** Puts the seed's roles, teams and statuses back, so tests do not depend on each other. */
async function resetPeople() {
  const prisma = t.db.prisma;
  const acme = await prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  const sales = await prisma.team.findFirstOrThrow({ where: { orgId: acme.id, name: "Sales" } });
  const support = await prisma.team.findFirstOrThrow({ where: { orgId: acme.id, name: "Support" } });
  const seed: Record<string, { role: string; teamId: string | null }> = {
    "alice@acme.test": { role: "member", teamId: sales.id },
    "dan@acme.test": { role: "member", teamId: support.id },
    "bob@acme.test": { role: "manager", teamId: sales.id },
    "carol@acme.test": { role: "admin", teamId: null },
    "ivan@acme.test": { role: "auditor", teamId: null },
    "heidi@acme.test": { role: "member", teamId: support.id },
  };
  for (const [email, data] of Object.entries(seed))
    await prisma.user.update({ where: { email }, data: { ...data, disabledAt: null } });
}

beforeAll(async () => {
  t = await createTestDatabase();
  carol = principalFor(await seededUser(t.db, "carol@acme.test"));
  erin = principalFor(await seededUser(t.db, "erin@globex.test"));
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  for (const e of ["alice", "dan", "bob", "carol", "ivan"]) ids[e] = (await user(`${e}@acme.test`)).id;
  for (const e of ["erin", "frank"]) ids[e] = (await user(`${e}@globex.test`)).id;
});
afterAll(async () => t?.dispose());
beforeEach(resetPeople);

describe(`admin users (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("lists only the org's people, by name, searchable case-insensitively, filterable and paginated", async () => {
    const all = await listUsers(carol, {});
    expect(all.items.map((u) => u.email)).toEqual([
      "alice@acme.test",
      "bob@acme.test",
      "carol@acme.test",
      "dan@acme.test",
      "heidi@acme.test",
      "ivan@acme.test",
    ]);
    expect(all.nextCursor).toBeNull();
    const alice1 = all.items[0]!;
    expect(alice1).toMatchObject({
      name: "Alice Adams",
      role: "member",
      roleName: "Member",
      team: { name: "Sales" },
      status: "active",
      disabledAt: null,
    });
    expect(all.items.find((u) => u.email === "bob@acme.test")?.managedTeams.map((x) => x.name)).toEqual([
      "Sales",
    ]);

    expect((await listUsers(carol, { q: "ALI" })).items.map((u) => u.email)).toEqual(["alice@acme.test"]);
    expect((await listUsers(carol, { q: "Acme.TEST" })).items).toHaveLength(6);
    expect((await listUsers(carol, { q: "globex" })).items).toEqual([]);
    expect((await listUsers(carol, { q: "chen" })).items.map((u) => u.email)).toEqual(["carol@acme.test"]);
    expect((await listUsers(carol, { role: "member" })).items.map((u) => u.email)).toEqual([
      "alice@acme.test",
      "dan@acme.test",
      "heidi@acme.test",
    ]);
    const sales = (await user("alice@acme.test")).teamId!;
    expect((await listUsers(carol, { teamId: sales })).items.map((u) => u.email)).toEqual([
      "alice@acme.test",
      "bob@acme.test",
    ]);
    expect((await listUsers(carol, { teamId: "none" })).items.map((u) => u.email)).toEqual([
      "carol@acme.test",
      "ivan@acme.test",
    ]);

    // Pages of two, by name, then newest first: every person exactly once.
    for (const sort of ["name", "newest"] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listUsers>> = await listUsers(carol, {
          sort,
          limit: 2,
          cursor: cursor ?? undefined,
        });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((u) => u.email));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(6);
      if (sort === "name") expect(seen).toEqual([...seen].sort());
    }
    await expectAppError(listUsers(carol, { cursor: "garbage" }), "bad_request");

    // Globex sees only Globex.
    expect((await listUsers(erin, {})).items.map((u) => u.email)).toEqual([
      "erin@globex.test",
      "frank@globex.test",
    ]);
  });

  it("filters by status", async () => {
    await deactivateUser(carol, { userId: ids.dan! });
    expect((await listUsers(carol, { status: "disabled" })).items.map((u) => u.email)).toEqual([
      "dan@acme.test",
    ]);
    expect((await listUsers(carol, { status: "active" })).items.map((u) => u.email)).not.toContain(
      "dan@acme.test",
    );
  });

  it("changes a role and writes the audit event with it", async () => {
    const updated = await changeUserRole(
      carol,
      { userId: ids.alice!, role: "manager" },
      { requestId: "req-role-1" },
    );
    expect(updated).toMatchObject({ email: "alice@acme.test", role: "manager", roleName: "Manager" });
    expect((await user("alice@acme.test")).role).toBe("manager");
    const events = await auditOf("user.role_changed", ids.alice!);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      orgId: carol.orgId,
      actorId: carol.userId,
      sessionId: carol.sessionId,
      requestId: "req-role-1",
      targetType: "user",
      outcome: "success",
      data: { from: "member", to: "manager", email: "alice@acme.test" },
    });
    // The same role again changes nothing and records nothing.
    await changeUserRole(carol, { userId: ids.alice!, role: "manager" });
    expect(await auditOf("user.role_changed", ids.alice!)).toHaveLength(1);
  });

  it("if the audit event cannot be written, the role change does not happen either", async () => {
    await t.db.withSql((sql) =>
      sql.exec(
        `ALTER TABLE "AuditEvent" ADD CONSTRAINT "test_refuse_role_changes" CHECK ("action" <> 'user.role_changed') NOT VALID`,
      ),
    );
    try {
      await expect(changeUserRole(carol, { userId: ids.dan!, role: "manager" })).rejects.toThrow();
      expect((await user("dan@acme.test")).role).toBe("member");
      expect(await auditOf("user.role_changed", ids.dan!)).toHaveLength(0);
    } finally {
      await t.db.withSql((sql) =>
        sql.exec(`ALTER TABLE "AuditEvent" DROP CONSTRAINT "test_refuse_role_changes"`),
      );
    }
  });

  it("changes a team (or none) and records from/to", async () => {
    const support = (await user("dan@acme.test")).teamId!;
    const sales = (await user("alice@acme.test")).teamId!;
    expect((await updateUser(carol, { userId: ids.dan!, patch: { teamId: sales } })).team?.name).toBe(
      "Sales",
    );
    expect((await updateUser(carol, { userId: ids.dan!, patch: { teamId: null } })).team).toBeNull();
    const events = await auditOf("user.team_changed", ids.dan!);
    expect(events.map((e) => e.data)).toEqual([
      { email: "dan@acme.test", from: { id: support, name: "Support" }, to: { id: sales, name: "Sales" } },
      { email: "dan@acme.test", from: { id: sales, name: "Sales" }, to: null },
    ]);
  });

  it("refuses an unknown role or team, naming the field", async () => {
    const e1 = await expectAppError(
      changeUserRole(carol, { userId: ids.dan!, role: "wizard" }),
      "validation_failed",
    );
    expect(e1.fields?.[0]?.field).toBe("role");
    const e2 = await expectAppError(
      updateUser(carol, { userId: ids.dan!, patch: { teamId: "no-such-team" } }),
      "validation_failed",
    );
    expect(e2.fields?.[0]?.field).toBe("teamId");
    await expectAppError(updateUser(carol, { userId: ids.dan!, patch: {} }), "validation_failed");
    await expectAppError(
      updateUser(carol, { userId: ids.dan!, patch: { disabled: "yes" as unknown as boolean } }),
      "validation_failed",
    );
    expect(await user("dan@acme.test")).toMatchObject({ role: "member", disabledAt: null });
  });

  it("deactivation revokes the person's sessions; their session and API key stop resolving; reactivation lets them sign in again", async () => {
    const sid = `s-${Date.now()}`;
    await unsafeCreateSession({
      id: sid,
      userId: ids.dan!,
      orgId: carol.orgId,
      provider: "dev",
      expiresAt: new Date(Date.now() + 3600_000),
    });
    expect(await unsafeResolveSession(sid)).not.toBeNull();
    await t.db.prisma.apiKey.create({
      data: {
        orgId: carol.orgId,
        userId: ids.dan!,
        name: "k",
        prefix: `p-${sid}`,
        hash: `h-${sid}`,
        scopes: ["chat"],
      },
    });
    expect(await unsafeResolveApiKey(`h-${sid}`)).not.toBeNull();

    const off = await deactivateUser(carol, { userId: ids.dan! }, { requestId: "req-off" });
    expect(off.status).toBe("disabled");
    expect(off.disabledAt).not.toBeNull();
    expect(await unsafeResolveSession(sid)).toBeNull();
    expect(await unsafeResolveApiKey(`h-${sid}`)).toBeNull();
    const row = await t.db.prisma.session.findUniqueOrThrow({ where: { id: sid } });
    expect(row.revokedAt).not.toBeNull();
    const event = (await auditOf("user.deactivated", ids.dan!)).find((e) => e.requestId === "req-off");
    expect(event).toMatchObject({
      requestId: "req-off",
      data: { from: "active", to: "disabled", sessionsRevoked: 1 },
    });

    const on = await reactivateUser(carol, { userId: ids.dan! });
    expect(on).toMatchObject({ status: "active", disabledAt: null });
    // The old session stays revoked; a new sign-in works.
    expect(await unsafeResolveSession(sid)).toBeNull();
    expect(await unsafeResolveApiKey(`h-${sid}`)).not.toBeNull();
    const sid2 = `${sid}-2`;
    await unsafeCreateSession({
      id: sid2,
      userId: ids.dan!,
      orgId: carol.orgId,
      provider: "dev",
      expiresAt: new Date(Date.now() + 3600_000),
    });
    expect(await unsafeResolveSession(sid2)).not.toBeNull();
    expect((await auditOf("user.reactivated", ids.dan!)).at(-1)?.data).toEqual({
      email: "dan@acme.test",
      from: "disabled",
      to: "active",
    });
  });

  it("an admin cannot deactivate themselves", async () => {
    await changeUserRole(carol, { userId: ids.bob!, role: "admin" });
    await expectAppError(
      deactivateUser(carol, { userId: ids.carol! }),
      "conflict",
      /cannot deactivate yourself/,
    );
    expect((await user("carol@acme.test")).disabledAt).toBeNull();
  });

  it("never leaves the org without an active admin", async () => {
    const demote = await expectAppError(
      changeUserRole(carol, { userId: ids.carol!, role: "member" }),
      "conflict",
      /only active admin/,
    );
    expect(demote.message).toMatch(/Make someone else an admin/);
    expect((await user("carol@acme.test")).role).toBe("admin");
    expect(await auditOf("user.role_changed", ids.carol!)).toHaveLength(0);

    // With a second admin, one of them may step down; then the other is the last one again.
    await changeUserRole(carol, { userId: ids.bob!, role: "admin" });
    const bob = principalFor(await seededUser(t.db, "bob@acme.test"));
    await changeUserRole(bob, { userId: ids.carol!, role: "member" });
    await expectAppError(
      changeUserRole(bob, { userId: ids.bob!, role: "member" }),
      "conflict",
      /only active admin/,
    );
    await expectAppError(updateUser(bob, { userId: ids.bob!, patch: { disabled: true } }), "conflict");

    // A deactivated admin does not count.
    await changeUserRole(bob, { userId: ids.carol!, role: "admin" });
    await deactivateUser(bob, { userId: ids.carol! });
    await expectAppError(
      changeUserRole(bob, { userId: ids.bob!, role: "member" }),
      "conflict",
      /only active admin/,
    );
    expect((await user("bob@acme.test")).role).toBe("admin");
  });

  it("two concurrent demotions of the last two admins: at most one succeeds", async () => {
    for (let round = 0; round < 3; round++) {
      await resetPeople();
      await changeUserRole(carol, { userId: ids.bob!, role: "admin" });
      const bob = principalFor(await seededUser(t.db, "bob@acme.test"));
      const results = await Promise.allSettled([
        changeUserRole(carol, { userId: ids.bob!, role: "member" }),
        changeUserRole(bob, { userId: ids.carol!, role: "member" }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(isAppError(refused.reason) && refused.reason.code).toBe("conflict");
      expect(
        await t.db.prisma.user.count({ where: { orgId: carol.orgId, role: "admin", disabledAt: null } }),
      ).toBe(1);
    }
    // Concurrent deactivation and demotion, the same.
    await resetPeople();
    await changeUserRole(carol, { userId: ids.bob!, role: "admin" });
    const bob = principalFor(await seededUser(t.db, "bob@acme.test"));
    const results = await Promise.allSettled([
      deactivateUser(carol, { userId: ids.bob! }),
      changeUserRole(bob, { userId: ids.carol!, role: "member" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(
      await t.db.prisma.user.count({ where: { orgId: carol.orgId, role: "admin", disabledAt: null } }),
    ).toBe(1);
  });

  it("another org's user is not found, and nothing changes", async () => {
    const frankBefore = await user("frank@globex.test");
    const erinBefore = await user("erin@globex.test");
    await expectAppError(changeUserRole(carol, { userId: ids.frank!, role: "admin" }), "not_found");
    await expectAppError(deactivateUser(carol, { userId: ids.erin! }), "not_found");
    await expectAppError(updateUser(carol, { userId: ids.frank!, patch: { teamId: null } }), "not_found");
    await expectAppError(
      updateUser(carol, { userId: "../etc/passwd", patch: { disabled: true } }),
      "not_found",
    );
    // Erin cannot move an Acme person into anything, nor give them a Globex team.
    await expectAppError(changeUserRole(erin, { userId: ids.alice!, role: "member" }), "not_found");
    const globexTeam = await t.db.prisma.team.create({ data: { orgId: erin.orgId, name: "Globex Ops" } });
    const e = await expectAppError(
      updateUser(carol, { userId: ids.dan!, patch: { teamId: globexTeam.id } }),
      "validation_failed",
    );
    expect(e.fields?.[0]?.field).toBe("teamId");
    expect(await user("frank@globex.test")).toEqual(frankBefore);
    expect(await user("erin@globex.test")).toEqual(erinBefore);
    expect((await user("dan@acme.test")).teamId).not.toBe(globexTeam.id);
    expect(await t.db.prisma.auditEvent.count({ where: { targetId: { in: [ids.frank!, ids.erin!] } } })).toBe(
      0,
    );
  });

  it("ignores tampering in the body: orgId, email, id and the like are dropped", async () => {
    const danBefore = await user("dan@acme.test");
    const globex = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "globex" } });
    const tampered = {
      role: "manager",
      orgId: globex.id,
      email: "evil@globex.test",
      id: ids.frank,
      name: "Mallory",
      disabledAt: null,
      builtIn: true,
    } as unknown as Parameters<typeof updateUser>[1]["patch"];
    const out = await updateUser(carol, { userId: ids.dan!, patch: tampered });
    expect(out).toMatchObject({ id: ids.dan, email: "dan@acme.test", name: "Dan Diaz", role: "manager" });
    const after = await user("dan@acme.test");
    expect(after).toEqual({ ...danBefore, role: "manager" });
    expect(await user("frank@globex.test")).toMatchObject({
      orgId: globex.id,
      email: "frank@globex.test",
      name: "Frank Fischer",
    });
  });

  it("requires user.manage, whatever the caller", async () => {
    await expectAppError(listUsers(alice, {}), "not_found");
    await expectAppError(changeUserRole(alice, { userId: ids.alice!, role: "admin" }), "not_found");
    expect((await user("alice@acme.test")).role).toBe("member");
  });

  it("a custom role with user.manage cannot grant or touch more than it holds", async () => {
    await t.db.prisma.role.create({
      data: {
        orgId: carol.orgId,
        key: "people-ops",
        name: "People ops",
        permissions: ["chat.send", "user.manage"],
      },
    });
    await t.db.prisma.user.update({ where: { email: "ivan@acme.test" }, data: { role: "people-ops" } });
    const ivan = principalFor(await seededUser(t.db, "ivan@acme.test"), {
      customRolePermissions: ["chat.send", "user.manage"],
    });
    // Promoting anyone (themselves included) to admin would hand out permissions ivan lacks.
    await expectAppError(
      changeUserRole(ivan, { userId: ids.ivan!, role: "admin" }),
      "forbidden",
      /user.manage|team.manage|role.manage/,
    );
    await expectAppError(changeUserRole(ivan, { userId: ids.alice!, role: "manager" }), "forbidden");
    // Nor demote or deactivate someone who holds more than ivan.
    await expectAppError(deactivateUser(ivan, { userId: ids.carol! }), "forbidden");
    // A member's team is within reach.
    const sales = (await user("alice@acme.test")).teamId!;
    expect((await updateUser(ivan, { userId: ids.dan!, patch: { teamId: sales } })).team?.name).toBe("Sales");
    expect((await user("carol@acme.test")).disabledAt).toBeNull();
    await t.db.prisma.user.update({ where: { email: "ivan@acme.test" }, data: { role: "auditor" } });
    await t.db.prisma.role.delete({ where: { orgId_key: { orgId: carol.orgId, key: "people-ops" } } });
  });
});
