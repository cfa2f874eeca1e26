import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { env, resetEnvCache } from "@/lib/config/env";
import { openDatabase } from "./client";
import { applyAppRoleGrants, checkAuditRole, describeAppRole } from "./grants";
import { createBlankDatabase, TEST_DATABASE_ADMIN_URL } from "./testing";
import { runMigrations } from "./migrate";

// PostgreSQL only: the application's role may append to the audit trail and seal it, never
// edit or delete it, by privilege (the triggers are covered on both databases elsewhere).
const role = `enclave_app_${randomUUID().slice(0, 8)}`;
let blank: Awaited<ReturnType<typeof createBlankDatabase>>;
let asApp: pg.Client;
let orgId: string;

beforeAll(async () => {
  blank = await createBlankDatabase("postgresql");
  await blank.db.withSql((sql) => runMigrations(sql));
  const admin = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE "${role}" LOGIN`);
  await admin.end();
  await blank.db.withSql((sql) => applyAppRoleGrants(sql, role));
  const org = await blank.db.prisma.org.create({ data: { name: "G", slug: "g", emailDomains: [] } });
  orgId = org.id;
  const url = new URL(blank.url!);
  url.username = role;
  asApp = new pg.Client({ connectionString: url.toString() });
  await asApp.connect();
});

afterAll(async () => {
  await asApp?.end();
  await blank?.dispose();
  const admin = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS "${role}"`);
  await admin.end();
});

describe("the application's database role (PostgreSQL grants)", () => {
  it("may insert audit events and seal them, but not change or delete them", async () => {
    await asApp.query(`INSERT INTO "AuditEvent" ("id", "orgId", "action") VALUES ('e1', $1, 'org.settings_changed')`, [orgId]);
    await asApp.query(`UPDATE "AuditEvent" SET "seq" = 1, "prevHash" = repeat('0', 64), "hash" = repeat('a', 64), "sealedAt" = now() WHERE "id" = 'e1'`);
    await expect(asApp.query(`UPDATE "AuditEvent" SET "outcome" = 'failure' WHERE "id" = 'e1'`)).rejects.toThrow(/permission denied/);
    await expect(asApp.query(`DELETE FROM "AuditEvent" WHERE "id" = 'e1'`)).rejects.toThrow(/permission denied/);
    await expect(asApp.query(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/permission denied/);
    await expect(asApp.query(`UPDATE "AuditEvent" SET "hash" = repeat('b', 64) WHERE "id" = 'e1'`)).rejects.toThrow(/sealed/);
  });

  it("may use the rest of the schema normally, but not rewrite the migration history", async () => {
    await asApp.query(`UPDATE "Org" SET "name" = 'G2' WHERE "id" = $1`, [orgId]);
    await expect(asApp.query(`DELETE FROM "_prisma_migrations"`)).rejects.toThrow(/permission denied/);
  });
});

describe("start-up check: the role Enclave connects as must not be able to drop the audit triggers", () => {
  it("warns, naming npm run db:grants, when it owns the audit table; AUDIT_STRICT=true refuses", async () => {
    // The throwaway database was migrated by its owner (a superuser here): the wrong role to serve as.
    const r = await blank.db.withSql((sql) => describeAppRole(sql));
    expect(r.canDropAuditTriggers).toBe(true);
    const warning = await checkAuditRole(blank.db, { strict: false });
    expect(warning).toMatch(/owns the audit table|superuser/);
    expect(warning).toMatch(/npm run db:grants/);
    await expect(checkAuditRole(blank.db, { strict: true })).rejects.toThrow(/AUDIT_STRICT=true.*|npm run db:grants/);
  });

  it("says nothing for a role given only the application's grants", async () => {
    const url = new URL(blank.url!);
    url.username = role;
    const app = await openDatabase({ kind: "postgresql", url: url.toString(), migrate: false });
    try {
      expect(await app.withSql((sql) => describeAppRole(sql))).toMatchObject({ role, ownsAuditTable: false, superuser: false, canDropAuditTriggers: false });
      expect(await checkAuditRole(app, { strict: true })).toBeNull();
    } finally {
      await app.close();
    }
  });

  it("AUDIT_STRICT is a boolean setting, off by default", () => {
    const saved = process.env.AUDIT_STRICT;
    try {
      delete process.env.AUDIT_STRICT;
      resetEnvCache();
      expect(env().AUDIT_STRICT).toBe(false);
      process.env.AUDIT_STRICT = "true";
      resetEnvCache();
      expect(env().AUDIT_STRICT).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.AUDIT_STRICT;
      else process.env.AUDIT_STRICT = saved;
      resetEnvCache();
    }
  });
});

