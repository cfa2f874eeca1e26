import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateSettings, updateUser } from "@/lib/admin";
import { createApiKey } from "@/lib/apikeys/create-api-key";
import { openWithJustification } from "@/lib/oversight/team-view";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { signedIn } from "@/lib/db/test-sessions";
import type { Principal } from "@/lib/principal";

/**
 * Nothing privileged happens unrecorded: each privileged change writes its audit event in its
 * own transaction, so when the audit write fails the change fails with it. The database is made
 * to refuse audit rows of one action at a time (a trigger), and the change must leave no trace.
 */
let t: TestDatabase;
let carol: Principal, bob: Principal, alice: Principal;

beforeAll(async () => {
  t = await createTestDatabase();
  carol = await signedIn(t.db, "carol@acme.test");
  bob = await signedIn(t.db, "bob@acme.test");
  alice = await signedIn(t.db, "alice@acme.test");
});
afterAll(async () => t?.dispose());

async function refuseAudit(action: string, fn: () => Promise<unknown>): Promise<void> {
  await t.db.withSql(async (sql) => {
    await sql.exec(`
      CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger AS $$
      BEGIN
        IF NEW."action" = '${action}' THEN RAISE EXCEPTION 'audit store unavailable'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      CREATE TRIGGER test_refuse_audit BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION test_refuse_audit();`);
  });
  try {
    await expect(fn()).rejects.toThrow();
  } finally {
    await t.db.withSql((sql) => sql.exec(`DROP TRIGGER test_refuse_audit ON "AuditEvent"; DROP FUNCTION test_refuse_audit();`));
  }
}

describe(`a privileged change fails when its audit record cannot be written (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("role change", async () => {
    await refuseAudit("user.role_changed", () => updateUser(carol, { userId: alice.userId, patch: { role: "manager" } }));
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: alice.userId } })).role).toBe("member");
    // With the audit store back, the same change goes through and is recorded.
    await updateUser(carol, { userId: alice.userId, patch: { role: "manager" } });
    expect(await t.db.prisma.auditEvent.count({ where: { action: "user.role_changed", targetId: alice.userId } })).toBe(1);
    await updateUser(carol, { userId: alice.userId, patch: { role: "member" } });
  });

  it("deactivation", async () => {
    await refuseAudit("user.deactivated", () => updateUser(carol, { userId: alice.userId, patch: { disabled: true } }));
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: alice.userId } })).disabledAt).toBeNull();
  });

  it("settings change", async () => {
    const before = await t.db.prisma.org.findUniqueOrThrow({ where: { id: carol.orgId } });
    await refuseAudit("org.settings_changed", () => updateSettings(carol, { devLoginEnabled: !before.devLoginEnabled }));
    expect((await t.db.prisma.org.findUniqueOrThrow({ where: { id: carol.orgId } })).devLoginEnabled).toBe(before.devLoginEnabled);
  });

  it("API key creation", async () => {
    await refuseAudit("apikey.created", () => createApiKey(alice, { name: "unrecorded", scopes: ["chat"] }));
    expect(await t.db.prisma.apiKey.count({ where: { name: "unrecorded" } })).toBe(0);
  });

  it("a manager's justified view", async () => {
    const conv = await t.db.prisma.conversation.create({
      data: { id: `pv-${Date.now()}`, orgId: alice.orgId, userId: alice.userId, title: "Private" },
    });
    await refuseAudit("conversation.viewed", () =>
      openWithJustification(bob, { ownerId: alice.userId, conversationId: conv.id, justification: "Reviewing the renewal quote before Friday" }),
    );
    expect(await t.db.prisma.conversationView.count({ where: { conversationId: conv.id } })).toBe(0);
  });
});
