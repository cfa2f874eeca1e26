import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { unsafeCreateSession, unsafeResolveSession, unsafeRevokeSession } from "@/lib/db/identity";
import { decideDevSignIn, decideSsoSignIn } from "./sign-in-policy";

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
