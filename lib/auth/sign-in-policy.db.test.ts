import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { unsafeCreateSession, unsafeResolveSession, unsafeRevokeSession } from "@/lib/db/identity";
import { SYSTEM_ORG } from "@/lib/db/system-org";
import { sealAllPending } from "@/lib/audit/seal";
import { verifyOrgChain } from "@/lib/audit/verify";
import { applySsoGroups, decideDevSignIn, decideSsoSignIn, emailIsVerified, groupsFrom } from "./sign-in-policy";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.dispose());

const ISSUER = "https://idp.example.test";
/** An IdP profile: a verified email whose subject is derived from it, unless overridden. */
const idp = (email: string, extra: Record<string, unknown> = {}) => ({ sub: `sub-${email.toLowerCase()}`, email, email_verified: true, ...extra });
const sso = (profile: Parameters<typeof decideSsoSignIn>[0], trustEmail = false) => decideSsoSignIn(profile, { issuer: ISSUER, trustEmail });
const refusals = (where: Record<string, unknown> = {}) =>
  t.db.prisma.auditEvent.findMany({ where: { action: "auth.sign_in_refused", ...where }, orderBy: { pos: "asc" } });
const orgId = async (slug: string) => (await t.db.prisma.org.findUniqueOrThrow({ where: { slug } })).id;

describe(`sign-in policy (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("provisions a new SSO user just in time into the org that owns the email domain, as a member", async () => {
    const first = await sso(idp("Sam@Acme.test", { name: "Sam Stone" }));
    expect(first).toMatchObject({ ok: true, provisioned: true });
    if (!first.ok) throw new Error("unreachable");
    const acme = await t.db.prisma.org.findUnique({ where: { slug: "acme" } });
    expect(first.user).toMatchObject({ email: "sam@acme.test", name: "Sam Stone", role: "member", orgId: acme!.id, teamId: null });
    // Bound to the identity that signed in, at once.
    expect(await t.db.prisma.user.findUnique({ where: { id: first.user.id } })).toMatchObject({ ssoIssuer: ISSUER, ssoSubject: "sub-sam@acme.test" });
    const again = await sso(idp("sam@acme.test", { name: "Someone Else" }));
    expect(again).toMatchObject({ ok: true, provisioned: false, user: { id: first.user.id, name: "Sam Stone" } });
  });

  it("concurrent first sign-ins of one person create one user", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => sso(idp("race@globex.test"))));
    const ids = new Set(results.map((r) => (r.ok ? r.user.id : "refused")));
    expect(ids.size).toBe(1);
    expect(ids.has("refused")).toBe(false);
    expect(await t.db.prisma.user.count({ where: { email: "race@globex.test" } })).toBe(1);
  });

  it("refuses an unknown domain, naming it, creates nobody, and audits it as a system event", async () => {
    expect(await sso(idp("zoe@unknown.test"))).toEqual({ ok: false, reason: "unknown-domain", domain: "unknown.test" });
    expect(await t.db.prisma.user.count({ where: { email: "zoe@unknown.test" } })).toBe(0);
    const [event] = await refusals({ orgId: SYSTEM_ORG.id });
    expect(event).toMatchObject({
      actorId: null,
      outcome: "failure",
      data: { provider: "oidc", reason: "unknown-domain", email: "zoe@unknown.test", issuer: ISSUER, subject: "sub-zoe@unknown.test" },
    });
    // The system scope is no org anyone signs in to, and a database holding only it is not "set up".
    expect(await t.db.prisma.user.count({ where: { orgId: SYSTEM_ORG.id } })).toBe(0);
  });

  it("refuses a missing or unverified email, and a look-alike domain", async () => {
    expect(await sso({ sub: "s-none" })).toMatchObject({ ok: false, reason: "no-email" });
    expect(await sso({ sub: "s-bad", email: "not-an-email", email_verified: true })).toMatchObject({ ok: false, reason: "no-email" });
    expect(await sso(idp("eve@acme.test", { email_verified: false }))).toMatchObject({ ok: false, reason: "unverified-email" });
    expect(await sso(idp("eve@evilacme.test"))).toMatchObject({ ok: false, reason: "unknown-domain" });
    expect(await sso(idp("eve@acme.test.evil.com"))).toMatchObject({ ok: false, reason: "unknown-domain" });
    expect(await sso({ email: "eve@acme.test", email_verified: true })).toMatchObject({ ok: false, reason: "no-subject" });
  });

  it("a missing email_verified claim is refused (Entra ID sends none), for a new person and an existing one", async () => {
    const before = await t.db.prisma.user.count();
    const newcomer = idp("nina@acme.test");
    delete (newcomer as Partial<typeof newcomer>).email_verified;
    expect(await sso(newcomer)).toMatchObject({ ok: false, reason: "unverified-email" });
    expect(await sso({ sub: "entra-alice", email: "alice@acme.test" })).toMatchObject({ ok: false, reason: "unverified-email" });
    expect(await sso(idp("alice@acme.test", { email_verified: "false" }))).toMatchObject({ ok: false, reason: "unverified-email" });
    expect(await t.db.prisma.user.count()).toBe(before);
    expect((await seededUser(t.db, "alice@acme.test")).id).toBeTruthy();
    expect(await t.db.prisma.user.findUnique({ where: { email: "alice@acme.test" } })).toMatchObject({ ssoSubject: null });
    // Audited in the org whose domain it is, naming the address and the identity.
    const acme = await orgId("acme");
    const events = await refusals({ orgId: acme, data: { path: ["reason"], equals: "unverified-email" } });
    // (eve's explicit false comes from the test before.)
    expect(events.map((e) => (e.data as { email: string }).email)).toEqual(["eve@acme.test", "nina@acme.test", "alice@acme.test", "alice@acme.test"]);
    // Not "alice's" sign-in: an identity that claimed her address, so no actor and no target.
    expect(events[2]).toMatchObject({ actorId: null, targetId: null, data: { subject: "entra-alice", issuer: ISSUER } });
  });

  it("with OIDC_TRUST_EMAIL a missing claim counts as verified; an explicit false still does not", async () => {
    expect(emailIsVerified(undefined, false)).toBe(false);
    expect(emailIsVerified(undefined, true)).toBe(true);
    expect(emailIsVerified(false, true)).toBe(false);
    expect(emailIsVerified("false", true)).toBe(false);
    expect(emailIsVerified(true, false)).toBe(true);
    expect(emailIsVerified("true", false)).toBe(true);
    expect(emailIsVerified(1, false)).toBe(false);
    expect(await sso({ sub: "trusted-olga", email: "olga@globex.test" }, true)).toMatchObject({ ok: true, provisioned: true });
    expect(await sso({ sub: "trusted-pat", email: "pat@globex.test", email_verified: false }, true)).toMatchObject({ ok: false, reason: "unverified-email" });
  });

  it("an existing account is bound to the first SSO identity; a second identity with its email is refused and audited", async () => {
    const bob = await seededUser(t.db, "bob@acme.test");
    const first = await sso(idp("bob@acme.test"));
    expect(first).toMatchObject({ ok: true, provisioned: false, user: { id: bob.id } });
    expect(await t.db.prisma.user.findUnique({ where: { id: bob.id } })).toMatchObject({ ssoIssuer: ISSUER, ssoSubject: "sub-bob@acme.test" });
    const bound = await t.db.prisma.auditEvent.findMany({ where: { action: "auth.sso_identity_bound", targetId: bob.id } });
    expect(bound).toHaveLength(1);
    expect(bound[0]).toMatchObject({ orgId: bob.orgId, actorId: bob.id, data: { issuer: ISSUER, subject: "sub-bob@acme.test" } });

    // Another subject at the same IdP (a guest or attacker account carrying bob's email), and the
    // same subject string from another issuer: both refused, bob unchanged.
    expect(await sso(idp("bob@acme.test", { sub: "attacker" }))).toEqual({ ok: false, reason: "identity-mismatch" });
    expect(await decideSsoSignIn(idp("BOB@acme.test"), { issuer: "https://other-idp.test", trustEmail: false })).toMatchObject({
      ok: false,
      reason: "identity-mismatch",
    });
    expect(await t.db.prisma.user.findUnique({ where: { id: bob.id } })).toMatchObject({ ssoSubject: "sub-bob@acme.test" });
    const refused = await refusals({ orgId: bob.orgId, targetId: bob.id, data: { path: ["reason"], equals: "identity-mismatch" } });
    expect(refused.map((e) => (e.data as { subject: string }).subject)).toEqual(["attacker", "sub-bob@acme.test"]);
    expect(refused.every((e) => e.outcome === "failure")).toBe(true);

    // The bound identity keeps working, whatever email it now carries.
    expect(await sso(idp("bob.renamed@elsewhere.test", { sub: "sub-bob@acme.test", email_verified: false }))).toMatchObject({ ok: true, user: { id: bob.id } });
  });

  it("two identities racing to bind one unbound account: exactly one wins", async () => {
    const ivan = await seededUser(t.db, "ivan@acme.test");
    const results = await Promise.all([sso(idp("ivan@acme.test", { sub: "ivan-1" })), sso(idp("ivan@acme.test", { sub: "ivan-2" }))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "identity-mismatch" }]);
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: ivan.id } });
    expect(["ivan-1", "ivan-2"]).toContain(row.ssoSubject);
  });

  it("refuses a deactivated user on SSO and dev sign-in", async () => {
    await t.db.prisma.user.update({ where: { email: "dan@acme.test" }, data: { disabledAt: new Date() } });
    expect(await sso(idp("dan@acme.test"))).toMatchObject({ ok: false, reason: "disabled" });
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

  it("failed dev sign-ins are audited: at the org of a known domain, otherwise as system events", async () => {
    const acme = await orgId("acme");
    await decideDevSignIn("ghost@acme.test");
    await decideDevSignIn("ghost@nowhere.test");
    await decideDevSignIn("not an email");
    expect((await refusals({ orgId: acme, data: { path: ["email"], equals: "ghost@acme.test" } }))[0]).toMatchObject({
      actorId: null,
      data: { provider: "dev", reason: "unknown-user" },
    });
    const system = (await refusals({ orgId: SYSTEM_ORG.id, data: { path: ["provider"], equals: "dev" } })).map((e) => e.data);
    // The last two (the previous test's undefined and non-string attempts come first, with no email).
    expect(system.slice(-2)).toEqual([
      { provider: "dev", reason: "unknown-user", email: "ghost@nowhere.test" },
      { provider: "dev", reason: "unknown-user", email: "not an email" },
    ]);

    // An org that turned dev sign-in off: refused and audited at that org, naming the person.
    const frank = await seededUser(t.db, "frank@globex.test");
    await t.db.prisma.org.update({ where: { id: frank.orgId }, data: { devLoginEnabled: false } });
    expect(await decideDevSignIn(frank.email)).toMatchObject({ ok: false, reason: "dev-login-disabled" });
    await t.db.prisma.org.update({ where: { id: frank.orgId }, data: { devLoginEnabled: true } });
    expect(await refusals({ orgId: frank.orgId, targetId: frank.id })).toMatchObject([{ data: { provider: "dev", reason: "dev-login-disabled" } }]);
  });

  it("system events form their own chain, sealed and verified like an org's", async () => {
    await sealAllPending();
    const report = await verifyOrgChain(SYSTEM_ORG.id);
    expect(report).toMatchObject({ ok: true });
    expect(await t.db.prisma.auditEvent.count({ where: { orgId: SYSTEM_ORG.id, hash: null } })).toBe(0);
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
    const d = await sso(idp("grace@acme.test", { name: "Grace" }));
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
    const d = await sso(idp("hank@acme.test"));
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
