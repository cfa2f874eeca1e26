import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { createTeam } from "./create-team";
import { deleteTeam } from "./delete-team";
import { getSettings, updateSettings } from "./settings";
import { expectAppError } from "./test-helpers";
import type { TxtResolver } from "./domain-verification";
import { decideSsoSignIn } from "@/lib/auth/sign-in-policy";

/** A DNS where each domain publishes the given TXT records; any other domain does not exist. */
function dns(records: Record<string, string[]>): TxtResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (domain: string) => {
    asked.push(domain);
    const r = records[domain];
    if (!r) throw Object.assign(new Error(`queryTxt ENOTFOUND ${domain}`), { code: "ENOTFOUND" });
    return r.map((v) => [v]);
  };
  return Object.assign(resolve, { asked });
}

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
    const record = (await getSettings(carol)).domainVerification.value;
    const s = await updateSettings(
      carol,
      { emailDomains: [" ACME.test ", "eu.acme.example"] },
      { requestId: "req-s1", resolveTxt: dns({ "eu.acme.example": ["v=spf1 -all", record] }) },
    );
    expect(s.emailDomains).toEqual(["acme.test", "eu.acme.example"]);
    expect(s.verifiedEmailDomains).toEqual(["acme.test", "eu.acme.example"]);
    expect((await org("acme")).emailDomains).toEqual(["acme.test", "eu.acme.example"]);
    const [event] = await settingsEvents(carol.orgId);
    expect(event).toMatchObject({
      requestId: "req-s1",
      targetType: "org",
      targetId: carol.orgId,
      data: {
        from: { emailDomains: ["acme.test"], verifiedEmailDomains: ["acme.test"] },
        to: { emailDomains: ["acme.test", "eu.acme.example"], verifiedEmailDomains: ["acme.test", "eu.acme.example"] },
      },
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

  it("an admin cannot claim a domain the org has not proven by DNS: 422 naming the record, nothing stored or recorded", async () => {
    const before = await org("globex");
    const events = (await settingsEvents(erin.orgId)).length;
    const { domainVerification } = await getSettings(erin);
    expect(domainVerification).toEqual({ recordType: "TXT", value: `enclave-domain-verification=${before.domainVerificationToken}` });
    // No record, another org's record, a look-alike value, and a DNS failure: all unproven.
    const acmeRecord = (await getSettings(carol)).domainVerification.value;
    const resolver = dns({
      "gmail.example": [acmeRecord],
      "near.example": [`${domainVerification.value}x`],
    });
    for (const domain of ["victim.example", "gmail.example", "near.example"]) {
      const e = await expectAppError(updateSettings(erin, { emailDomains: ["globex.test", domain] }, { resolveTxt: resolver }), "validation_failed");
      expect(e.status).toBe(422);
      expect(e.message).toContain(`${domain} is not verified: publish a DNS TXT record “${domainVerification.value}”`);
      expect(e.fields).toEqual([{ field: "emailDomains.1", message: `not verified: publish the TXT record “${domainVerification.value}” at ${domain}` }]);
    }
    expect(resolver.asked).toEqual(["victim.example", "gmail.example", "near.example"]);
    expect(await org("globex")).toEqual(before);
    expect(await settingsEvents(erin.orgId)).toHaveLength(events);
    // Without an injected resolver the real DNS is asked, and a reserved name never resolves.
    await expectAppError(updateSettings(erin, { emailDomains: ["globex.test", "never-verified.invalid"] }), "validation_failed");
  });

  it("a claimed but unverified domain (claimed before verification existed) provisions nobody, until DNS proves it", async () => {
    const globex = await org("globex");
    // As the verified_domains migration leaves a domain an admin had claimed.
    await t.db.prisma.org.update({ where: { id: globex.id }, data: { emailDomains: ["globex.test", "legacy.example"] } });
    const profile = { sub: "legacy-lee", email: "lee@legacy.example", email_verified: true };
    const opts = { issuer: "https://idp.example.test", trustEmail: false };
    expect(await decideSsoSignIn(profile, opts)).toEqual({ ok: false, reason: "unverified-domain", domain: "legacy.example" });
    expect(await t.db.prisma.user.count({ where: { email: "lee@legacy.example" } })).toBe(0);
    expect((await getSettings(erin)).verifiedEmailDomains).toEqual(["globex.test"]);

    // Saving the list again while the record is missing keeps the claim, still unverified.
    const record = (await getSettings(erin)).domainVerification.value;
    expect((await updateSettings(erin, { emailDomains: ["globex.test", "legacy.example"] }, { resolveTxt: dns({}) })).verifiedEmailDomains).toEqual(["globex.test"]);
    // Once published, the same save verifies it, and people from it are provisioned.
    const s = await updateSettings(erin, { emailDomains: ["globex.test", "legacy.example"] }, { resolveTxt: dns({ "legacy.example": [record] }) });
    expect(s.verifiedEmailDomains).toEqual(["globex.test", "legacy.example"]);
    expect(await decideSsoSignIn(profile, opts)).toMatchObject({ ok: true, provisioned: true, user: { orgId: globex.id } });
    // A verified domain is not looked up again; removing it drops its verification too.
    const again = dns({});
    await updateSettings(erin, { emailDomains: ["globex.test", "legacy.example"] }, { resolveTxt: again });
    expect(again.asked).toEqual([]);
    expect((await updateSettings(erin, { emailDomains: ["globex.test"] })).verifiedEmailDomains).toEqual(["globex.test"]);
    expect((await org("globex")).verifiedEmailDomains).toEqual(["globex.test"]);
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
