import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { unsafeListUsersForDevLogin } from "./identity";
import { unsafeApplyOperatorDomains } from "./org-domains";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.dispose());

const org = (slug: string) => t.db.prisma.org.findUniqueOrThrow({ where: { slug } });

describe(`operator email domains (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("ENCLAVE_ORG_DOMAINS claims and verifies domains for their org, takes them off another org, and records both", async () => {
    // Globex's admin claimed acme.example before verification existed (unverified).
    await t.db.prisma.org.update({ where: { slug: "globex" }, data: { emailDomains: ["globex.test", "acme.example"] } });
    const r = await unsafeApplyOperatorDomains({ acme: ["acme.example", "acme.test"], nosuch: ["x.example"] });
    expect(r).toEqual({ changed: ["globex", "acme"], unknownOrgs: ["nosuch"] });
    expect(await org("acme")).toMatchObject({ emailDomains: ["acme.test", "acme.example"], verifiedEmailDomains: ["acme.test", "acme.example"] });
    expect(await org("globex")).toMatchObject({ emailDomains: ["globex.test"], verifiedEmailDomains: ["globex.test"] });
    const events = await t.db.prisma.auditEvent.findMany({ where: { action: "org.settings_changed", actorId: null }, orderBy: { pos: "asc" } });
    expect(events.map((e) => [e.orgId, (e.data as { via: string }).via])).toEqual([
      [(await org("globex")).id, "ENCLAVE_ORG_DOMAINS"],
      [(await org("acme")).id, "ENCLAVE_ORG_DOMAINS"],
    ]);
    // Applying it again (every start) changes and records nothing.
    expect(await unsafeApplyOperatorDomains({ acme: ["acme.example"] })).toEqual({ changed: [], unknownOrgs: [] });
  });
});

describe(`dev sign-in picker (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("lists only active people of orgs whose dev sign-in is on", async () => {
    const emails = async () => (await unsafeListUsersForDevLogin()).map((u) => u.email);
    expect(await emails()).toContain("erin@globex.test");
    await t.db.prisma.org.update({ where: { slug: "globex" }, data: { devLoginEnabled: false } });
    const listed = await emails();
    expect(listed.filter((e) => e.endsWith("@globex.test"))).toEqual([]);
    expect(listed).toContain("alice@acme.test");
    await t.db.prisma.org.update({ where: { slug: "globex" }, data: { devLoginEnabled: true } });
  });
});
