import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createThrowawayPostgres, openDatabaseAt, testDbKind } from "@/lib/db/testing";
import { seedDatabase } from "@/lib/db/seed";

/**
 * `npm run audit:verify` as an operator runs it: a separate process on the same database. It
 * exits 0 on an intact chain and 1 naming the first broken event after tampering.
 */
const kind = testDbKind();
let dataDir = "";
let pgUrl: string | null = null;
let dropPg: (() => Promise<void>) | null = null;

function open() {
  return kind === "pglite" ? openDatabaseAt({ kind: "pglite", dataDir: join(dataDir, "pglite") }) : openDatabaseAt({ kind: "postgresql", url: pgUrl! });
}

function runCli(): { status: number | null; out: string } {
  const env = {
    ...process.env,
    ENCLAVE_DATA_DIR: dataDir,
    DATABASE_URL: pgUrl ?? "",
    AUDIT_SIGNING_KEY: "cli-test-signing-key-0123456789",
    LOG_LEVEL: "silent",
  };
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], { env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "enclave-verify-"));
  if (kind === "postgresql") {
    const pg = await createThrowawayPostgres();
    pgUrl = pg.url;
    dropPg = pg.drop;
  }
  const db = await open();
  await seedDatabase(db.prisma);
  const acme = await db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  for (let i = 0; i < 12; i++) {
    await db.prisma.auditEvent.create({ data: { id: `cli-${i}-${randomUUID()}`, orgId: acme.id, action: "org.settings_changed", data: { i } } });
  }
  await db.close();
});

afterAll(async () => {
  await dropPg?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`npm run audit:verify (${kind})`, () => {
  it("exits 0 on an intact chain", () => {
    const r = runCli();
    expect(r.out).toMatch(/ok\s+org .*12 events/);
    expect(r.status).toBe(0);
  }, 120_000);

  it("exits non-zero and names the first broken event after a row is modified in SQL", async () => {
    const db = await open();
    const acme = await db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
    await db.withSql(async (sql) => {
      await sql.exec(`SET session_replication_role = replica`);
      await sql.query(`UPDATE "AuditEvent" SET "data" = '{"i": 99}'::jsonb WHERE "orgId" = $1 AND "seq" = 6`, [acme.id]);
      await sql.exec(`SET session_replication_role = DEFAULT`);
    });
    await db.close();
    const r = runCli();
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/BROKEN\s+org .*first broken event is seq 6/);
  }, 120_000);
});
