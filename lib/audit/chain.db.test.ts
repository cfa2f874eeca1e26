import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { resetEnvCache } from "@/lib/config/env";
import { writeAudit } from "@/lib/db/audit";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import type { SqlExecutor } from "@/lib/db/sql-executor";
import { eventHash, GENESIS, sha256, type FieldSalts } from "@/lib/audit-record/canonical";
import { checkpointOrg, resetSigner } from "./checkpoints";
import { sealOrg } from "./seal";
import { verifyOrgChain } from "./verify";

let t: TestDatabase;

beforeAll(async () => {
  process.env.AUDIT_SIGNING_KEY = "test-audit-signing-key-0123456789";
  resetEnvCache();
  resetSigner();
  t = await createTestDatabase();
});
afterAll(async () => t?.dispose());

/** A fresh org with `n` sealed events: each tamper case gets its own chain to break. */
async function chainOf(n: number): Promise<string> {
  const org = await t.db.prisma.org.create({ data: { name: "Tamper", slug: `tamper-${randomUUID().slice(0, 8)}`, emailDomains: [] } });
  for (let i = 1; i <= n; i++) {
    await writeAudit(t.db.prisma, {
      orgId: org.id,
      actorId: null,
      action: "org.settings_changed",
      target: { type: "org", id: org.id },
      data: { i, note: `change ${i}` },
    });
  }
  expect(await sealOrg(org.id)).toBe(n);
  return org.id;
}

/** Runs SQL with the append-only triggers off, as an attacker with superuser access would. */
async function asAttacker(fn: (sql: SqlExecutor) => Promise<void>): Promise<void> {
  await t.db.withSql(async (sql) => {
    await sql.exec(`SET session_replication_role = replica`);
    try {
      await fn(sql);
    } finally {
      await sql.exec(`SET session_replication_role = DEFAULT`);
    }
  });
}

async function rowAt(orgId: string, seq: number) {
  return t.db.prisma.auditEvent.findFirstOrThrow({ where: { orgId, seq: BigInt(seq) } });
}

describe(`tamper-evident audit chain (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("an untouched chain verifies, with its checkpoint", async () => {
    const orgId = await chainOf(25);
    await checkpointOrg(orgId);
    const r = await verifyOrgChain(orgId);
    expect(r).toMatchObject({ ok: true, checked: 25, lastSeq: "25", checkpoints: 1, firstBroken: null });
    const first = await rowAt(orgId, 1);
    expect(first.prevHash).toBe(GENESIS);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("modifying an event's content in SQL is named by its sequence number", async () => {
    const orgId = await chainOf(20);
    const victim = await rowAt(orgId, 7);
    await asAttacker((sql) => sql.query(`UPDATE "AuditEvent" SET "data" = '{"i": 7, "note": "nothing to see"}'::jsonb WHERE "id" = $1`, [victim.id]).then(() => {}));
    const r = await verifyOrgChain(orgId);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: "7", eventId: victim.id });
    expect(r.firstBroken!.reason).toMatch(/modified/);
  });

  it("deleting an event is named by the missing sequence number", async () => {
    const orgId = await chainOf(20);
    await asAttacker((sql) => sql.query(`DELETE FROM "AuditEvent" WHERE "orgId" = $1 AND "seq" = 5`, [orgId]).then(() => {}));
    const r = await verifyOrgChain(orgId);
    expect(r.firstBroken).toMatchObject({ seq: "5" });
    expect(r.firstBroken!.reason).toMatch(/missing/);
  });

  it("reordering two events is named at the first one out of place", async () => {
    const orgId = await chainOf(20);
    await asAttacker(async (sql) => {
      await sql.query(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "orgId" = $1 AND "seq" = 8`, [orgId]);
      await sql.query(`UPDATE "AuditEvent" SET "seq" = 8 WHERE "orgId" = $1 AND "seq" = 9`, [orgId]);
      await sql.query(`UPDATE "AuditEvent" SET "seq" = 9 WHERE "orgId" = $1 AND "seq" = -1`, [orgId]);
    });
    const r = await verifyOrgChain(orgId);
    expect(r.firstBroken).toMatchObject({ seq: "8" });
  });

  it("inserting a forged event is named where it was inserted, even when the forger computes its hash", async () => {
    for (const smart of [false, true]) {
      const orgId = await chainOf(15);
      const prev = await rowAt(orgId, 9);
      await asAttacker(async (sql) => {
        // Make room at seq 10, then insert a forged event there.
        for (let s = 15; s >= 10; s--) await sql.query(`UPDATE "AuditEvent" SET "seq" = $2 WHERE "orgId" = $1 AND "seq" = $3`, [orgId, s + 1, s]);
        const forged = {
          id: `forged-${randomUUID()}`,
          orgId,
          seq: 10n,
          prevHash: prev.hash!,
          createdAt: new Date(prev.createdAt.getTime() + 1),
          actorId: null,
          sessionId: null,
          requestId: null,
          action: "user.role_changed",
          targetType: "user",
          targetId: "someone",
          outcome: "success",
          latencyMs: null,
          inputHash: null,
          outputHash: null,
          content: null,
          data: { from: "member", to: "admin" },
        };
        const hash = smart ? eventHash(forged) : sha256("garbage");
        await sql.query(
          `INSERT INTO "AuditEvent" ("id", "orgId", "seq", "prevHash", "hash", "sealedAt", "createdAt", "action", "targetType", "targetId", "outcome", "data")
           VALUES ($1, $2, 10, $3, $4, now(), $5, $6, $7, $8, 'success', $9::jsonb)`,
          [forged.id, orgId, forged.prevHash, hash, forged.createdAt.toISOString().replace("T", " ").replace("Z", ""), forged.action, forged.targetType, forged.targetId, JSON.stringify(forged.data)],
        );
      });
      const r = await verifyOrgChain(orgId);
      // A careless forgery breaks at itself; a careful one at the next event, which no longer
      // points at its predecessor (and whose hash covers its old place in the chain).
      expect(r.firstBroken?.seq).toBe(smart ? "11" : "10");
    }
  });

  it("a chain rewritten consistently after a signed checkpoint no longer matches the checkpoint", async () => {
    const orgId = await chainOf(12);
    await checkpointOrg(orgId);
    // The attacker edits event 4 and recomputes every later hash, so the chain is internally valid.
    await asAttacker(async (sql) => {
      await sql.query(`UPDATE "AuditEvent" SET "data" = '{"i": 4, "note": "rewritten"}'::jsonb WHERE "orgId" = $1 AND "seq" = 4`, [orgId]);
      let prevHash = (await rowAt(orgId, 3)).hash!;
      for (let s = 4; s <= 12; s++) {
        const row = await rowAt(orgId, s);
        const hash = eventHash({ ...row, seq: BigInt(s), prevHash, content: row.content, data: row.data, salts: row.salts as FieldSalts | null, redacted: null });
        await sql.query(`UPDATE "AuditEvent" SET "prevHash" = $2, "hash" = $3 WHERE "id" = $1`, [row.id, prevHash, hash]);
        prevHash = hash;
      }
    });
    const r = await verifyOrgChain(orgId);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: "12" });
    expect(r.firstBroken!.reason).toMatch(/checkpoint/);
  });

  it("a checkpoint signed with another key does not verify", async () => {
    const orgId = await chainOf(3);
    await checkpointOrg(orgId);
    process.env.AUDIT_SIGNING_KEY = "another-key-another-key-another-key";
    resetEnvCache();
    resetSigner();
    try {
      const r = await verifyOrgChain(orgId);
      expect(r.firstBroken?.reason).toMatch(/signature/);
    } finally {
      process.env.AUDIT_SIGNING_KEY = "test-audit-signing-key-0123456789";
      resetEnvCache();
      resetSigner();
    }
  });

  it("the application cannot change, delete or truncate sealed events (triggers)", async () => {
    const orgId = await chainOf(3);
    const row = await rowAt(orgId, 2);
    await expect(t.db.prisma.auditEvent.update({ where: { id: row.id }, data: { outcome: "failure" } })).rejects.toThrow();
    await expect(t.db.prisma.auditEvent.delete({ where: { id: row.id } })).rejects.toThrow();
    await expect(t.db.withSql((sql) => sql.exec(`TRUNCATE "AuditEvent"`))).rejects.toThrow();
    await checkpointOrg(orgId);
    await expect(t.db.withSql((sql) => sql.exec(`DELETE FROM "AuditCheckpoint"`))).rejects.toThrow();
    expect((await verifyOrgChain(orgId)).ok).toBe(true);
  });

  it("an unsealed event can only be sealed, not edited", async () => {
    const org = await t.db.prisma.org.create({ data: { name: "U", slug: `u-${randomUUID().slice(0, 8)}`, emailDomains: [] } });
    await writeAudit(t.db.prisma, { orgId: org.id, actorId: null, action: "org.settings_changed", data: { x: 1 } });
    const row = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { orgId: org.id } });
    await expect(t.db.prisma.auditEvent.update({ where: { id: row.id }, data: { data: { x: 2 } } })).rejects.toThrow();
    expect(await sealOrg(org.id)).toBe(1);
  });

  it("an inserted event cannot bring its own seal or a backdated time (insert trigger)", async () => {
    const orgId = await chainOf(3);
    const head = await rowAt(orgId, 3);
    const before = Date.now();
    // What a writer with INSERT alone might try: take seq 4 with a forged hash, dated last year.
    const id = `forged-${randomUUID()}`;
    await t.db.withSql((sql) =>
      sql.query(
        `INSERT INTO "AuditEvent" ("id", "orgId", "seq", "prevHash", "hash", "sealedAt", "createdAt", "action", "outcome")
         VALUES ($1, $2, 4, $3, $4, '2025-01-01 00:00:00', '2025-01-01 00:00:00', 'user.role_changed', 'success')`,
        [id, orgId, head.hash, sha256("forged")],
      ),
    );
    const viaPrisma = await t.db.prisma.auditEvent.create({
      data: { orgId, action: "user.role_changed", seq: 5n, prevHash: GENESIS, hash: sha256("x"), createdAt: new Date("2020-01-01T00:00:00Z") },
    });
    for (const rowId of [id, viaPrisma.id]) {
      const row = await t.db.prisma.auditEvent.findUniqueOrThrow({ where: { id: rowId } });
      expect(row).toMatchObject({ seq: null, prevHash: null, hash: null, sealedAt: null });
      expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(row.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    }
    // Both are sealed like any other event, after the real head, and the chain holds.
    expect(await sealOrg(orgId)).toBe(2);
    expect(await verifyOrgChain(orgId)).toMatchObject({ ok: true, lastSeq: "5" });
  });

  it("concurrent writers and sealers produce one gapless chain", async () => {
    const org = await t.db.prisma.org.create({ data: { name: "C", slug: `c-${randomUUID().slice(0, 8)}`, emailDomains: [] } });
    await Promise.all(
      Array.from({ length: 40 }, async (_, w) => {
        for (let i = 0; i < 5; i++) {
          await writeAudit(t.db.prisma, { orgId: org.id, actorId: null, action: "org.settings_changed", data: { w, i } });
          if (i % 2 === 0) await sealOrg(org.id);
        }
      }),
    );
    await sealOrg(org.id);
    const r = await verifyOrgChain(org.id);
    expect(r).toMatchObject({ ok: true, checked: 200, lastSeq: "200" });
  });
});
