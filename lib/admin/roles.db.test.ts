import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { PERMISSION_IDS } from "@/lib/authz";
import type { Principal } from "@/lib/principal";
import { createRole, deleteRole, listRoles, updateRole } from "./roles";
import { expectAppError } from "./test-helpers";
import { changeUserRole } from "./update-user";
import { updateSettings } from "./settings";

let t: TestDatabase;
let carol: Principal;
let erin: Principal;
let alice: Principal;
const ids: Record<string, string> = {};

const roleRow = (orgId: string, key: string) =>
  t.db.prisma.role.findUnique({ where: { orgId_key: { orgId, key } } });
const audit = (action: string, targetId: string) =>
  t.db.prisma.auditEvent.findMany({ where: { action, targetId }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  t = await createTestDatabase();
  carol = principalFor(await seededUser(t.db, "carol@acme.test"));
  erin = principalFor(await seededUser(t.db, "erin@globex.test"));
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  for (const e of ["alice", "dan", "ivan"]) ids[e] = (await seededUser(t.db, `${e}@acme.test`)).id;
});
afterAll(async () => t?.dispose());

describe(`admin roles (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("lists the catalog and the built-in roles with their permissions from the catalog", async () => {
    const { permissions, roles } = await listRoles(carol);
    expect(permissions.map((x) => x.id)).toEqual(PERMISSION_IDS);
    expect(permissions.find((x) => x.id === "user.manage")).toMatchObject({
      builtInRoles: ["admin"],
      description: expect.any(String),
    });
    expect(roles.map((r) => [r.key, r.builtIn])).toEqual([
      ["member", true],
      ["manager", true],
      ["admin", true],
      ["auditor", true],
    ]);
    const admin = roles.find((r) => r.key === "admin")!;
    expect(admin.permissions).toContain("role.manage");
    expect(admin.userCount).toBe(1);
    expect(roles.find((r) => r.key === "member")!.permissions).toEqual([
      "chat.send",
      "conversation.read.own",
      "conversation.write.own",
      "apikey.manage.own",
      "memory.manage.own",
      "data.export.own",
      "data.erase.own",
    ]);
  });

  it("creates, edits and deletes a custom role, each with its audit event", async () => {
    const created = await createRole(
      carol,
      {
        key: "support-lead",
        name: "Support lead",
        description: "Reads usage",
        permissions: ["usage.read.team", "chat.send", "chat.send"],
      },
      { requestId: "req-r1" },
    );
    expect(created).toMatchObject({
      key: "support-lead",
      name: "Support lead",
      builtIn: false,
      permissions: ["chat.send", "usage.read.team"],
      userCount: 0,
    });
    expect((await audit("role.created", "support-lead"))[0]).toMatchObject({
      requestId: "req-r1",
      data: { from: null, to: { key: "support-lead" } },
    });

    const edited = await updateRole(carol, {
      key: "support-lead",
      body: { name: "Support leads", permissions: ["chat.send", "conversation.read.own"] },
    });
    expect(edited).toMatchObject({
      name: "Support leads",
      description: "Reads usage",
      permissions: ["chat.send", "conversation.read.own"],
    });
    expect((await audit("role.updated", "support-lead"))[0]?.data).toEqual({
      from: { name: "Support lead", permissions: ["chat.send", "usage.read.team"] },
      to: { name: "Support leads", permissions: ["chat.send", "conversation.read.own"] },
    });

    // Assignable, and then it cannot be deleted while held.
    await changeUserRole(carol, { userId: ids.dan!, role: "support-lead" });
    const inUse = await expectAppError(
      deleteRole(carol, { key: "support-lead" }),
      "conflict",
      /held by 1 person/,
    );
    expect(inUse.message).toMatch(/give them another role/);
    expect(await roleRow(carol.orgId, "support-lead")).not.toBeNull();
    await changeUserRole(carol, { userId: ids.dan!, role: "member" });

    // Nor while an SSO group mapping assigns it.
    await updateSettings(carol, { groupMappings: [{ group: "leads", roleKey: "support-lead" }] });
    await expectAppError(deleteRole(carol, { key: "support-lead" }), "conflict", /SSO group mapping/);
    await updateSettings(carol, { groupMappings: [] });

    await deleteRole(carol, { key: "support-lead" });
    expect(await roleRow(carol.orgId, "support-lead")).toBeNull();
    expect((await audit("role.deleted", "support-lead"))[0]?.data).toMatchObject({
      from: { name: "Support leads" },
      to: null,
    });
    await expectAppError(deleteRole(carol, { key: "support-lead" }), "not_found");
  });

  it("validates keys and permissions, naming the field", async () => {
    for (const key of ["A", "Has Space", "-lead", "lead-", "x".repeat(41), "ünï"]) {
      const e = await expectAppError(
        createRole(carol, { key, name: "X", permissions: [] }),
        "validation_failed",
      );
      expect(e.fields?.[0]?.field).toBe("key");
    }
    const e = await expectAppError(
      createRole(carol, { key: "ok-key", name: "X", permissions: ["root.everything"] as never }),
      "validation_failed",
    );
    expect(e.fields?.[0]?.field).toBe("permissions.0");
    const e2 = await expectAppError(
      createRole(carol, { key: "ok-key", name: "", permissions: [] }),
      "validation_failed",
    );
    expect(e2.fields?.[0]?.field).toBe("name");
    await expectAppError(
      createRole(carol, { key: "admin", name: "Admin 2", permissions: [] }),
      "conflict",
      /built-in/,
    );
    await createRole(carol, { key: "dupe", name: "Dupe", permissions: [] });
    const dup = await expectAppError(
      createRole(carol, { key: "dupe", name: "Dupe", permissions: [] }),
      "conflict",
      /already exists/,
    );
    expect(dup.fields?.[0]?.field).toBe("key");
    await deleteRole(carol, { key: "dupe" });
  });

  it("built-in roles cannot be edited or deleted", async () => {
    const before = await roleRow(carol.orgId, "member");
    await expectAppError(
      updateRole(carol, { key: "member", body: { permissions: ["user.manage"] } }),
      "conflict",
      /Built-in roles cannot be edited/,
    );
    await expectAppError(deleteRole(carol, { key: "admin" }), "conflict", /Built-in roles/);
    expect(await roleRow(carol.orgId, "member")).toEqual(before);
    expect(await roleRow(carol.orgId, "admin")).not.toBeNull();
  });

  it("body tampering cannot make a built-in role or reach another org", async () => {
    const made = await createRole(carol, {
      key: "tamper",
      name: "Tamper",
      permissions: [],
      builtIn: true,
      orgId: erin.orgId,
    } as unknown as Parameters<typeof createRole>[1]);
    expect(made.builtIn).toBe(false);
    expect(await roleRow(carol.orgId, "tamper")).toMatchObject({ builtIn: false });
    expect(await roleRow(erin.orgId, "tamper")).toBeNull();
    await updateRole(carol, { key: "tamper", body: { name: "T", builtIn: true, key: "admin" } as never });
    expect(await roleRow(carol.orgId, "tamper")).toMatchObject({ name: "T", builtIn: false });
    await deleteRole(carol, { key: "tamper" });
  });

  it("another org's custom role is not found, and is unchanged", async () => {
    await createRole(erin, { key: "globex-ops", name: "Globex ops", permissions: ["chat.send"] });
    const before = await roleRow(erin.orgId, "globex-ops");
    await expectAppError(updateRole(carol, { key: "globex-ops", body: { name: "pwned" } }), "not_found");
    await expectAppError(deleteRole(carol, { key: "globex-ops" }), "not_found");
    const e = await expectAppError(
      changeUserRole(carol, { userId: ids.alice!, role: "globex-ops" }),
      "validation_failed",
    );
    expect(e.fields?.[0]?.field).toBe("role");
    expect(await roleRow(erin.orgId, "globex-ops")).toEqual(before);
    expect((await listRoles(carol)).roles.map((r) => r.key)).not.toContain("globex-ops");
  });

  it("nobody grants what they do not hold; role.manage is required", async () => {
    await expectAppError(listRoles(alice), "not_found");
    await expectAppError(createRole(alice, { key: "mine", name: "Mine", permissions: [] }), "not_found");
    await t.db.prisma.role.create({
      data: {
        orgId: carol.orgId,
        key: "role-editor",
        name: "Role editor",
        permissions: ["chat.send", "role.manage"],
      },
    });
    const editor = principalFor(
      { ...(await seededUser(t.db, "ivan@acme.test")), role: "role-editor" },
      { customRolePermissions: ["chat.send", "role.manage"] },
    );
    await expectAppError(
      createRole(editor, { key: "sneaky", name: "Sneaky", permissions: ["user.manage"] }),
      "forbidden",
      /user.manage/,
    );
    // Editing their own role upward is the same escalation.
    await expectAppError(
      updateRole(editor, {
        key: "role-editor",
        body: { permissions: ["chat.send", "role.manage", "org.settings"] },
      }),
      "forbidden",
    );
    expect((await roleRow(carol.orgId, "role-editor"))?.permissions).toEqual(["chat.send", "role.manage"]);
    // Within their own permissions it works.
    expect(
      (
        await createRole(editor, {
          key: "chatter",
          name: "Chatter",
          permissions: ["chat.send", "conversation.read.own"],
        })
      ).permissions,
    ).toEqual(["chat.send", "conversation.read.own"]);
  });
});
