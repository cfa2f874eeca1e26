import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { unsafeCreateSession, unsafeResolveSession, unsafeRevokeSession } from "@/lib/db/identity";
import { applySsoGroups, decideDevSignIn, decideSsoSignIn, groupsFrom } from "./sign-in-policy";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.dispose());

describe(`sign-in policy (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("provisions a new SSO user just in time into the org that owns the email domain, as a member", async () => {
    const first = await decideSsoSignIn({ email: "Sam@Acme.test", name: "Sam Stone", email_verified: true });
    expect(first).toMatchObject({ ok: true, provisioned: true });
    if (!first.ok) throw new Error("unreachable");
    const acme = await t.db.prisma.org.findUnique({ where: { slug: "acme" } });
    expect(first.user).toMatchObject({ email: "sam@acme.test", name: "Sam Stone", role: "member", orgId: acme!.id, teamId: null });
    const again = await decideSsoSignIn({ email: "sam@acme.test", name: "Someone Else" });
    expect(again).toMatchObject({ ok: true, provisioned: false, user: { id: first.user.id, name: "Sam Stone" } });
  });

  it("concurrent first sign-ins of one person create one user", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => decideSsoSignIn({ email: "race@globex.test" })));
    const ids = new Set(results.map((r) => (r.ok ? r.user.id : "refused")));
    expect(ids.size).toBe(1);
    expect(await t.db.prisma.user.count({ where: { email: "race@globex.test" } })).toBe(1);
  });

  it("refuses an unknown domain, naming it, and creates nobody", async () => {
    expect(await decideSsoSignIn({ email: "zoe@unknown.test" })).toEqual({ ok: false, reason: "unknown-domain", domain: "unknown.test" });
    expect(await t.db.prisma.user.count({ where: { email: "zoe@unknown.test" } })).toBe(0);
  });

  it("refuses a missing or unverified email, and a look-alike domain", async () => {
    expect(await decideSsoSignIn({})).toMatchObject({ ok: false, reason: "no-email" });
    expect(await decideSsoSignIn({ email: "not-an-email" })).toMatchObject({ ok: false, reason: "no-email" });
    expect(await decideSsoSignIn({ email: "eve@acme.test", email_verified: false })).toMatchObject({ ok: false, reason: "unverified-email" });
    expect(await decideSsoSignIn({ email: "eve@evilacme.test" })).toMatchObject({ ok: false, reason: "unknown-domain" });
    expect(await decideSsoSignIn({ email: "eve@acme.test.evil.com" })).toMatchObject({ ok: false, reason: "unknown-domain" });
  });

  it("refuses a deactivated user on SSO and dev sign-in", async () => {
    await t.db.prisma.user.update({ where: { email: "dan@acme.test" }, data: { disabledAt: new Date() } });
    expect(await decideSsoSignIn({ email: "dan@acme.test" })).toMatchObject({ ok: false, reason: "disabled" });
    expect(await decideDevSignIn("dan@acme.test")).toMatchObject({ ok: false, reason: "disabled" });
    await t.db.prisma.user.update({ where: { email: "dan@acme.test" }, data: { disabledAt: null } });
  });

  it("dev sign-in accepts only existing users", async () => {
    expect(await decideDevSignIn("alice@acme.test")).toMatchObject({ ok: true, user: { email: "alice@acme.test" } });
    expect(await decideDevSignIn(" ALICE@acme.test ")).toMatchObject({ ok: true });
    expect(await decideDevSignIn("nobody@acme.test")).toMatchObject({ ok: false, reason: "unknown-user" });
    expect(await decideDevSignIn(undefined)).toMatchObject({ ok: false, reason: "unknown-user" });
    expect(await decideDevSignIn({ email: "alice@acme.test" })).toMatchObject({ ok: false });
  });
});

describe(`server-side sessions (${process.env.ENCLAVE_TEST_DB})`, () => {
  async function newSession(email: string, ttlMs = 60_000) {
    const u = await seededUser(t.db, email);
    const id = `sid-${Math.random().toString(36).slice(2)}`;
    await unsafeCreateSession({ id, userId: u.id, orgId: u.orgId, provider: "dev", expiresAt: new Date(Date.now() + ttlMs) });
    return { id, user: u };
  }

  it("resolves a live session to its user, with the role read fresh from the database", async () => {
    const s = await newSession("bob@acme.test");
    expect(await unsafeResolveSession(s.id)).toMatchObject({ sessionId: s.id, user: { email: "bob@acme.test", role: "manager" } });
    await t.db.prisma.user.update({ where: { id: s.user.id }, data: { role: "member" } });
    expect((await unsafeResolveSession(s.id))?.user.role).toBe("member");
    await t.db.prisma.user.update({ where: { id: s.user.id }, data: { role: "manager" } });
  });

  it("a revoked (signed-out) session no longer resolves: a replayed cookie gets nothing", async () => {
    const s = await newSession("alice@acme.test");
    await unsafeRevokeSession(s.id);
    expect(await unsafeResolveSession(s.id)).toBeNull();
  });

  it("an expired session and an unknown id resolve to nothing", async () => {
    const s = await newSession("alice@acme.test", -1000);
    expect(await unsafeResolveSession(s.id)).toBeNull();
    expect(await unsafeResolveSession("forged-session-id")).toBeNull();
  });

  it("deactivating a user ends their sessions at the next request", async () => {
    const s = await newSession("frank@globex.test");
    expect(await unsafeResolveSession(s.id)).not.toBeNull();
    await t.db.prisma.user.update({ where: { id: s.user.id }, data: { disabledAt: new Date() } });
    expect(await unsafeResolveSession(s.id)).toBeNull();
  });
});

describe(`SSO group mappings (${process.env.ENCLAVE_TEST_DB})`, () => {
  async function acmeSetup() {
    const acme = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
    const sales = await t.db.prisma.team.findFirstOrThrow({ where: { orgId: acme.id, name: "Sales" } });
    await t.db.prisma.groupMapping.deleteMany({ where: { orgId: acme.id } });
    await t.db.prisma.groupMapping.createMany({
      data: [
        { orgId: acme.id, group: "enclave-admins", roleKey: "admin", position: 0 },
        { orgId: acme.id, group: "enclave-auditors", roleKey: "auditor", position: 1 },
        { orgId: acme.id, group: "sales", teamId: sales.id, position: 2 },
      ],
    });
    return { acme, sales };
  }

  it("reads the groups claim in any shape", () => {
    expect(groupsFrom({ groups: ["a", "b", 3] }, "groups")).toEqual(["a", "b"]);
    expect(groupsFrom({ roles: "x" }, "roles")).toEqual(["x"]);
    expect(groupsFrom({}, "groups")).toEqual([]);
  });

  it("a person in the group mapped to admin becomes admin at sign-in; leaving it makes them a member again", async () => {
    const { sales } = await acmeSetup();
    const d = await decideSsoSignIn({ email: "grace@acme.test", name: "Grace" });
    if (!d.ok) throw new Error("refused");
    const first = await applySsoGroups(d.user, ["enclave-admins", "sales", "unrelated"]);
    expect(first).toMatchObject({ role: { from: "member", to: "admin" }, team: { from: null, to: sales.id }, keptLastAdmin: false });
    expect(await t.db.prisma.user.findUnique({ where: { id: d.user.id } })).toMatchObject({ role: "admin", teamId: sales.id });
    const audit = await t.db.prisma.auditEvent.findMany({ where: { targetId: d.user.id, action: { in: ["user.role_changed", "user.team_changed"] } } });
    expect(audit).toHaveLength(2);
    expect(audit.every((a) => a.actorId === null)).toBe(true);

    const again = await applySsoGroups(d.user, ["enclave-admins", "sales"]);
    expect(again).toMatchObject({ role: null, team: null });

    const left = await applySsoGroups(d.user, []);
    expect(left).toMatchObject({ role: { from: "admin", to: "member" }, team: { from: sales.id, to: null } });
  });

  it("the first matching mapping wins", async () => {
    await acmeSetup();
    const d = await decideSsoSignIn({ email: "hank@acme.test" });
    if (!d.ok) throw new Error("refused");
    await applySsoGroups(d.user, ["enclave-auditors", "enclave-admins"]);
    expect((await t.db.prisma.user.findUnique({ where: { id: d.user.id } }))?.role).toBe("admin");
  });

  it("never demotes the org's last admin", async () => {
    const { acme } = await acmeSetup();
    // Make carol the only active admin.
    await t.db.prisma.user.updateMany({ where: { orgId: acme.id, role: "admin", NOT: { email: "carol@acme.test" } }, data: { role: "member" } });
    const carol = await seededUser(t.db, "carol@acme.test");
    const r = await applySsoGroups(carol, []);
    expect(r).toMatchObject({ role: null, keptLastAdmin: true });
    expect((await seededUser(t.db, "carol@acme.test")).role).toBe("admin");
  });

  it("with no mappings, SSO sign-in changes nobody's role or team", async () => {
    const { acme } = await acmeSetup();
    await t.db.prisma.groupMapping.deleteMany({ where: { orgId: acme.id } });
    const bob = await seededUser(t.db, "bob@acme.test");
    expect(await applySsoGroups(bob, ["enclave-admins"])).toMatchObject({ role: null, team: null });
    expect((await seededUser(t.db, "bob@acme.test")).role).toBe("manager");
  });
});
