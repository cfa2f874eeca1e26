import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { createTeam } from "./create-team";
import { deleteTeam } from "./delete-team";
import { getSettings, updateSettings } from "./settings";
import { expectAppError } from "./test-helpers";

let t: TestDatabase;
let carol: Principal;
let erin: Principal;
let ivan: Principal;

const org = (slug: string) =>
  t.db.prisma.org.findUniqueOrThrow({
    where: { slug },
    include: { groupMappings: { orderBy: { position: "asc" } } },
  });
const settingsEvents = (orgId: string) =>
  t.db.prisma.auditEvent.findMany({
    where: { orgId, action: "org.settings_changed" },
    orderBy: { createdAt: "asc" },
  });

beforeAll(async () => {
  t = await createTestDatabase();
  carol = principalFor(await seededUser(t.db, "carol@acme.test"));
  erin = principalFor(await seededUser(t.db, "erin@globex.test"));
  ivan = principalFor(await seededUser(t.db, "ivan@acme.test"));
});
afterAll(async () => t?.dispose());

describe(`admin org settings (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("reads the org's settings with the roles and teams a mapping may use", async () => {
    const s = await getSettings(carol);
    expect(s).toMatchObject({
      org: { name: "Acme", slug: "acme" },
      emailDomains: ["acme.test"],
      devLoginEnabled: true,
      groupMappings: [],
    });
    expect(s.options.roles.map((r) => r.key)).toEqual(["member", "manager", "admin", "auditor"]);
    expect(s.options.teams.map((x) => x.name)).toEqual(["Sales", "Support"]);
    expect((await getSettings(erin)).options.teams).toEqual([]);
  });

  it("stores email domains lowercased, validated, at least one; records from/to", async () => {
    const s = await updateSettings(
      carol,
      { emailDomains: [" ACME.test ", "eu.acme.example"] },
      { requestId: "req-s1" },
    );
    expect(s.emailDomains).toEqual(["acme.test", "eu.acme.example"]);
    expect((await org("acme")).emailDomains).toEqual(["acme.test", "eu.acme.example"]);
    const [event] = await settingsEvents(carol.orgId);
    expect(event).toMatchObject({
      requestId: "req-s1",
      targetType: "org",
      targetId: carol.orgId,
      data: { from: { emailDomains: ["acme.test"] }, to: { emailDomains: ["acme.test", "eu.acme.example"] } },
    });

    const bad = [
      [[], "emailDomains"],
      [["not a domain"], "emailDomains.0"],
      [["acme.test", "https://x.com"], "emailDomains.1"],
      [["acme.test", "bob@acme.test"], "emailDomains.1"],
      [["acme.test", "localhost"], "emailDomains.1"],
      [["acme.test", "acme.test"], "emailDomains.1"],
    ] as const;
    for (const [emailDomains, field] of bad) {
      const e = await expectAppError(
        updateSettings(carol, { emailDomains: [...emailDomains] }),
        "validation_failed",
      );
      expect(e.fields?.[0]?.field, JSON.stringify(emailDomains)).toBe(field);
    }
    expect((await org("acme")).emailDomains).toEqual(["acme.test", "eu.acme.example"]);
    await updateSettings(carol, { emailDomains: ["acme.test"] });
  });

  it("refuses a domain another org already uses", async () => {
    const e = await expectAppError(
      updateSettings(erin, { emailDomains: ["globex.test", "acme.test"] }),
      "conflict",
      /already used by another organization/,
    );
    expect(e.fields).toEqual([{ field: "emailDomains.1", message: "already used by another organization" }]);
    expect((await org("globex")).emailDomains).toEqual(["globex.test"]);
  });

  it("stores ordered group mappings whose role and team exist in the org", async () => {
    const team = await createTeam(carol, { name: "Engineering" });
    const sales = (await getSettings(carol)).options.teams.find((x) => x.name === "Sales")!;
    const mappings = [
      { group: "acme-admins", roleKey: "admin" },
      { group: "acme-eng", teamId: team.id },
      { group: "acme-sales-leads", roleKey: "manager", teamId: sales.id },
    ];
    const s = await updateSettings(carol, { groupMappings: mappings });
    expect(s.groupMappings).toEqual([
      { group: "acme-admins", roleKey: "admin", teamId: null },
      { group: "acme-eng", roleKey: null, teamId: team.id },
      { group: "acme-sales-leads", roleKey: "manager", teamId: sales.id },
    ]);
    // Reordered: positions follow the list.
    const reordered = await updateSettings(carol, {
      groupMappings: [mappings[2]!, mappings[0]!, mappings[1]!],
    });
    expect(reordered.groupMappings.map((m) => m.group)).toEqual([
      "acme-sales-leads",
      "acme-admins",
      "acme-eng",
    ]);
    expect((await org("acme")).groupMappings.map((m) => [m.group, m.position])).toEqual([
      ["acme-sales-leads", 0],
      ["acme-admins", 1],
      ["acme-eng", 2],
    ]);

    // Unknown role, another org's team, duplicates and empty mappings are refused, naming the field.
    const globexTeam = await createTeam(erin, { name: "Globex team" });
    const cases = [
      [[{ group: "g", roleKey: "wizard" }], "groupMappings.0.roleKey"],
      [[{ group: "g", teamId: globexTeam.id }], "groupMappings.0.teamId"],
      [
        [
          { group: "g", roleKey: "admin" },
          { group: "g", roleKey: "member" },
        ],
        "groupMappings.1.group",
      ],
      [[{ group: "g" }], "groupMappings.0.roleKey"],
      [[{ group: " ", roleKey: "admin" }], "groupMappings.0.group"],
    ] as const;
    for (const [groupMappings, field] of cases) {
      const e = await expectAppError(
        updateSettings(carol, { groupMappings: groupMappings as never }),
        "validation_failed",
      );
      expect(e.fields?.[0]?.field, JSON.stringify(groupMappings)).toBe(field);
    }
    expect((await org("acme")).groupMappings).toHaveLength(3);

    // Deleting a team takes its mappings with it.
    await deleteTeam(carol, { teamId: team.id });
    expect((await getSettings(carol)).groupMappings.map((m) => m.group)).toEqual([
      "acme-sales-leads",
      "acme-admins",
    ]);
    await updateSettings(carol, { groupMappings: [] });
  });

  it("sets what the audit trail keeps of chat turns, and records the change", async () => {
    expect((await getSettings(carol)).auditContent).toBe("redacted");
    expect((await updateSettings(carol, { auditContent: "hashes" })).auditContent).toBe("hashes");
    const ev = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { action: "org.settings_changed", orgId: carol.orgId }, orderBy: { pos: "desc" } });
    expect(ev.data).toMatchObject({ from: { auditContent: "redacted" }, to: { auditContent: "hashes" } });
    const { auditContentPolicy } = await import("@/lib/db/audit");
    expect(await auditContentPolicy(carol.orgId)).toBe("hashes");
    await expectAppError(updateSettings(carol, { auditContent: "everything" as never }), "validation_failed");
    await updateSettings(carol, { auditContent: "redacted" });
  });

  it("toggles the org's dev sign-in; no change records nothing", async () => {
    const before = (await settingsEvents(carol.orgId)).length;
    expect((await updateSettings(carol, { devLoginEnabled: false })).devLoginEnabled).toBe(false);
    expect((await org("acme")).devLoginEnabled).toBe(false);
    await updateSettings(carol, { devLoginEnabled: false, emailDomains: ["acme.test"] });
    expect(await settingsEvents(carol.orgId)).toHaveLength(before + 1);
    expect((await updateSettings(carol, { devLoginEnabled: true })).devLoginEnabled).toBe(true);
    await expectAppError(updateSettings(carol, {}), "validation_failed");
    await expectAppError(
      updateSettings(carol, { devLoginEnabled: "no" as unknown as boolean }),
      "validation_failed",
    );
  });

  it("body tampering is dropped and cannot reach another org; org.settings is required", async () => {
    const globexBefore = await org("globex");
    await updateSettings(carol, {
      devLoginEnabled: true,
      orgId: erin.orgId,
      slug: "globex",
      name: "Pwned",
    } as never);
    expect(await org("globex")).toEqual(globexBefore);
    expect((await org("acme")).name).toBe("Acme");
    await expectAppError(getSettings(ivan), "not_found");
    await expectAppError(updateSettings(ivan, { devLoginEnabled: false }), "not_found");
    expect((await org("acme")).devLoginEnabled).toBe(true);
  });
});
