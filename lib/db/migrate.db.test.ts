import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_DIR, pendingMigrations, readMigrations, runMigrations } from "./migrate";
import { createBlankDatabase } from "./testing";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function blankDatabase() {
  const blank = await createBlankDatabase();
  cleanups.push(() => blank.dispose());
  return blank;
}

describe(`migration runner (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("applies every migration once, records Prisma-compatible rows, and is idempotent", async () => {
    const { db } = await blankDatabase();
    const files = readMigrations();
    const first = await db.withSql((sql) => runMigrations(sql));
    expect(first.applied).toEqual(files.map((f) => f.name));
    const second = await db.withSql((sql) => runMigrations(sql));
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(files.map((f) => f.name));
    const rows = await db.withSql((sql) =>
      sql.query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
        `SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
      ),
    );
    expect(rows).toEqual(
      files.map((f) => ({ migration_name: f.name, checksum: f.checksum, applied_steps_count: 1 })),
    );
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await db.withSql((sql) => pendingMigrations(sql))).toEqual([]);
    // The schema is usable through Prisma afterwards.
    expect(await db.prisma.org.count()).toBe(0);
  });

  it("a failing migration is rolled back entirely and not recorded", async () => {
    const { db } = await blankDatabase();
    const dir = mkdtempSync(join(tmpdir(), "enclave-migs-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    mkdirSync(join(dir, "99999999999999_broken"));
    const broken = `CREATE TABLE "Half" (id int);\nTHIS IS NOT SQL;`;
    writeFileSync(join(dir, "99999999999999_broken", "migration.sql"), broken);
    await expect(db.withSql((sql) => runMigrations(sql, { dir }))).rejects.toThrow();
    const names = await db.withSql((sql) =>
      sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`),
    );
    expect(names.map((n) => n.migration_name)).not.toContain("99999999999999_broken");
    const half = await db.withSql((sql) =>
      sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'Half'`),
    );
    expect(half[0]!.n).toBe(0);
    expect(await db.withSql((sql) => pendingMigrations(sql, dir))).toEqual(["99999999999999_broken"]);
  });
});
