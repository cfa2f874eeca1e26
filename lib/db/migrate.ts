import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SqlExecutor } from "./sql-executor";

/**
 * Applies prisma/migrations/<name>/migration.sql files in order, each in its own transaction,
 * recording them in Prisma's own `_prisma_migrations` table (same columns, sha256 checksums)
 * so that `prisma migrate deploy` on a machine with the native engine agrees with us.
 */
export const MIGRATIONS_DIR = resolve(process.cwd(), "prisma", "migrations");
const LOCK_KEY = 72_775_001; // arbitrary, constant: serializes migrators across instances

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  // turbopackIgnore: the migrations are read from disk at runtime, not traced into the build.
  if (!existsSync(/*turbopackIgnore: true*/ dir)) throw new Error(`No migrations directory at ${dir}`);
  return readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(/*turbopackIgnore: true*/ join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(/*turbopackIgnore: true*/ join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
}

async function appliedMigrations(sql: SqlExecutor): Promise<AppliedRow[]> {
  await sql.exec(CREATE_TABLE);
  return sql.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
  );
}

/** Names of migrations not yet applied (no writes besides creating the bookkeeping table). */
export async function pendingMigrations(sql: SqlExecutor, dir?: string): Promise<string[]> {
  const done = new Set((await appliedMigrations(sql)).filter((r) => r.finished_at).map((r) => r.migration_name));
  return readMigrations(dir)
    .map((m) => m.name)
    .filter((n) => !done.has(n));
}

export async function runMigrations(
  sql: SqlExecutor,
  opts: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrationResult> {
  const log = opts.log ?? (() => {});
  const files = readMigrations(opts.dir);
  return sql.withExclusiveLock(LOCK_KEY, async () => {
    const rows = await appliedMigrations(sql);
    const failed = rows.find((r) => !r.finished_at);
    if (failed) {
      throw new Error(
        `Migration ${failed.migration_name} started earlier but never finished. Inspect the database, ` +
          `then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${failed.migration_name}').`,
      );
    }
    const byName = new Map(rows.map((r) => [r.migration_name, r]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of files) {
      const prior = byName.get(m.name);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          log(`warning: migration ${m.name} was edited after it was applied (checksum differs)`);
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      await sql.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
      });
      log(`applied migration ${m.name}`);
      result.applied.push(m.name);
    }
    return result;
  });
}
