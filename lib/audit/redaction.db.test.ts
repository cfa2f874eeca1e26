import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { resetEnvCache } from "@/lib/config/env";
import { writeAudit } from "@/lib/db/audit";
import { erasedPseudonym, erasureRepository } from "@/lib/db/repositories/erasure";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { sha256 } from "@/lib/audit-record/canonical";
import { resetSigner } from "./checkpoints";
import { sealOrg } from "./seal";
import { verifyOrgChain } from "./verify";

/**
 * Redaction (hash version 2): an erasure removes a person from sealed events, and the chain
 * still verifies; a redaction that lies about a digest breaks it; nothing else can change a
 * sealed event; events sealed before redaction existed are left as they are, and counted.
 */
let t: TestDatabase;

beforeAll(async () => {
  process.env.AUDIT_SIGNING_KEY = "test-audit-signing-key-0123456789";
  resetEnvCache();
  resetSigner();
  t = await createTestDatabase();
});
afterAll(async () => t?.dispose());

interface Org {
  orgId: string;
  userId: string;
  email: string;
  name: string;
}

/** An org with a person, their chat events, an admin's event about them and someone else's. */
async function orgWithEvents(): Promise<Org> {
  const tag = randomUUID().slice(0, 8);
  const org = await t.db.prisma.org.create({ data: { name: "Redact", slug: `redact-${tag}`, emailDomains: [] } });
  const o = { orgId: org.id, userId: `user-${tag}`, email: `pat-${tag}@redact.test`, name: `Pat Quill${tag}` };
  await writeAudit(t.db.prisma, { orgId: o.orgId, actorId: o.userId, sessionId: `sess-${tag}`, action: "chat.request_received", target: { type: "conversation", id: `conv-${tag}` }, inputHash: sha256("secret plans"), content: { text: "secret plans" }, data: { via: "session" } });
  await writeAudit(t.db.prisma, { orgId: o.orgId, actorId: "admin-1", action: "user.role_changed", target: { type: "user", id: o.userId }, data: { email: o.email, from: "member", to: "manager" } });
  await writeAudit(t.db.prisma, { orgId: o.orgId, actorId: "admin-1", action: "team.manager_added", target: { type: "team", id: "team-1" }, data: { userId: o.userId, name: o.name } });
  await writeAudit(t.db.prisma, { orgId: o.orgId, actorId: "someone-else", action: "chat.request_received", target: { type: "conversation", id: "conv-x" }, content: { text: "other words" }, data: { via: "session" } });
  expect(await sealOrg(o.orgId)).toBe(4);
  return o;
}

const rowsOf = (orgId: string) => t.db.prisma.auditEvent.findMany({ where: { orgId }, orderBy: { seq: "asc" } });

describe(`audit redaction (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("an erased person leaves no trace in sealed events, and the chain still verifies", async () => {
    const o = await orgWithEvents();
    const before = await rowsOf(o.orgId);
    const repo = erasureRepository({ orgId: o.orgId, userId: o.userId });
    expect(await repo.redactAuditTrail({ email: o.email, name: o.name }, { identity: true })).toEqual({ redacted: 3, unredactable: 0 });

    const after = await rowsOf(o.orgId);
    const text = JSON.stringify(after.map((r) => ({ ...r, pos: String(r.pos), seq: String(r.seq) })));
    for (const needle of [o.userId, o.email, o.name, "secret plans", `sess-`]) expect(text).not.toContain(needle);
    const pseudonym = erasedPseudonym(o.orgId, o.userId);
    expect(after.map((r) => [r.action, r.actorId, r.targetId])).toEqual([
      ["chat.request_received", pseudonym, `conv-${o.userId.slice(5)}`],
      ["user.role_changed", "admin-1", pseudonym],
      ["team.manager_added", "admin-1", "team-1"],
      ["chat.request_received", "someone-else", "conv-x"],
    ]);
    expect(after[2]!.data).toEqual({ userId: pseudonym, name: "[erased]" });
    expect(after[0]!.redacted).toMatchObject({ actorId: expect.any(String), sessionId: expect.any(String), content: expect.any(String), inputHash: expect.any(String) });
    expect(Object.keys(after[0]!.salts as object)).not.toContain("content");
    // Someone else's event is untouched; every hash is the one sealed.
    expect(after[3]).toEqual(before[3]);
    expect(after.map((r) => r.hash)).toEqual(before.map((r) => r.hash));
    expect(await verifyOrgChain(o.orgId)).toMatchObject({ ok: true, checked: 4 });

    // Run again (a resumed erasure): the same, nothing more to do but nothing broken either.
    await repo.redactAuditTrail({ email: o.email, name: o.name }, { identity: true });
    expect((await verifyOrgChain(o.orgId)).ok).toBe(true);
  });

  it("content only: what they said goes from their events, who they are stays", async () => {
    const o = await orgWithEvents();
    const repo = erasureRepository({ orgId: o.orgId, userId: o.userId });
    expect(await repo.redactAuditTrail({ email: o.email, name: o.name }, { identity: false })).toEqual({ redacted: 1, unredactable: 0 });
    const [chat, role] = await rowsOf(o.orgId);
    expect([chat!.actorId, chat!.content, chat!.inputHash]).toEqual([o.userId, null, null]);
    expect(role!.targetId).toBe(o.userId);
    expect((await verifyOrgChain(o.orgId)).ok).toBe(true);
  });

  it("a redaction that stores a wrong digest breaks the chain at that event", async () => {
    const o = await orgWithEvents();
    await erasureRepository({ orgId: o.orgId, userId: o.userId }).redactAuditTrail({ email: o.email, name: o.name }, { identity: true });
    const first = (await rowsOf(o.orgId))[0]!;
    const lie = { ...(first.redacted as Record<string, string>), content: sha256("something else") };
    await t.db.withSql((sql) => sql.query(`SELECT enclave_audit_redact($1, $2, NULL, $3, NULL, NULL, NULL, $4::jsonb, $5::jsonb, $6::jsonb)`, [first.id, first.actorId, first.targetId, JSON.stringify(first.data), JSON.stringify(first.salts), JSON.stringify(lie)]));
    const r = await verifyOrgChain(o.orgId);
    expect(r.ok).toBe(false);
    expect(r.firstBroken?.seq).toBe("1");
  });

  it("outside a redaction a sealed event still cannot change, and a redaction cannot touch the rest", async () => {
    const o = await orgWithEvents();
    const first = (await rowsOf(o.orgId))[0]!;
    await expect(t.db.withSql((sql) => sql.query(`UPDATE "AuditEvent" SET "actorId" = 'x' WHERE "id" = $1`, [first.id]))).rejects.toThrow(/sealed/);
    await expect(
      t.db.withSql((sql) =>
        sql.transaction(async (tx) => {
          await tx.query(`SELECT set_config('enclave.audit_redaction', 'on', true)`);
          await tx.query(`UPDATE "AuditEvent" SET "action" = 'user.deactivated', "redacted" = '{}'::jsonb WHERE "id" = $1`, [first.id]);
        }),
      ),
    ).rejects.toThrow(/only redactable fields/);
    expect((await verifyOrgChain(o.orgId)).ok).toBe(true);
  });

  it("events sealed before redaction existed (hash version 1) are counted, not changed", async () => {
    const o = await orgWithEvents();
    // A version 1 row: no salts (as every event written before this version).
    await t.db.prisma.auditEvent.create({ data: { orgId: o.orgId, actorId: o.userId, action: "chat.request_received", data: { old: true } } });
    await sealOrg(o.orgId);
    const r = await erasureRepository({ orgId: o.orgId, userId: o.userId }).redactAuditTrail({ email: o.email, name: o.name }, { identity: true });
    expect(r).toEqual({ redacted: 3, unredactable: 1 });
    expect((await verifyOrgChain(o.orgId)).ok).toBe(true);
  });
});
