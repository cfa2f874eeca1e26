/**
 * Test databases for integration tests (*.db.test.ts). The vitest project decides the engine
 * through ENCLAVE_TEST_DB: a fresh in-memory PGlite, or a throwaway PostgreSQL database created
 * for this test file and dropped afterwards. Both go through the same migration runner.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { MEMORY, openDatabase, type Database, type DatabaseKind } from "./client";
import { setDatabase } from "./database";
import { seedDatabase } from "./seed";
import { cipherFor } from "./keyring";
import { openColumn, SEALED_COLUMNS } from "./sealed-columns";
import type { Prisma } from "./generated/client";
import type { UserRecord } from "./types";

export const TEST_DATABASE_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function testDbKind(): DatabaseKind {
  const k = process.env.ENCLAVE_TEST_DB ?? "pglite";
  if (k !== "pglite" && k !== "postgres" && k !== "postgresql") throw new Error(`ENCLAVE_TEST_DB=${k}?`);
  return k === "pglite" ? "pglite" : "postgresql";
}

export interface TestDatabase {
  db: Database;
  kind: DatabaseKind;
  /** For PostgreSQL: the URL of the throwaway database (child processes can connect to it). */
  url: string | null;
  dispose(): Promise<void>;
}

export async function createThrowawayPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `enclave_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL integration tests need a server at ${TEST_DATABASE_ADMIN_URL} (set TEST_DATABASE_URL). ` +
        `\`bash .ci/run\` and \`npm test\` start the local one. Cause: ${(e as Error).message}`,
    );
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(TEST_DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A database with no migrations applied (for testing the migration runner), on `kind` or the
 * engine this test project runs. Dispose closes it and, for PostgreSQL, drops it.
 */
export async function createBlankDatabase(
  kind: DatabaseKind = testDbKind(),
): Promise<{ db: Database; url: string | null; dispose(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await openDatabase({ kind: "pglite", dataDir: MEMORY, migrate: false });
    return { db, url: null, dispose: () => db.close() };
  }
  const pg = await createThrowawayPostgres();
  const db = await openDatabase({ kind: "postgresql", url: pg.url, migrate: false });
  return {
    db,
    url: pg.url,
    async dispose() {
      await db.close();
      await pg.drop();
    },
  };
}

/** Opens a database the way a separate process (a CLI) would find it, for tests that run one. */
export function openDatabaseAt(opts: { kind: "pglite"; dataDir: string } | { kind: "postgresql"; url: string }): Promise<Database> {
  return opts.kind === "pglite" ? openDatabase({ kind: "pglite", dataDir: opts.dataDir }) : openDatabase({ kind: "postgresql", url: opts.url, migrate: true });
}

export async function createTestDatabase(opts: { seed?: boolean; install?: boolean } = {}): Promise<TestDatabase> {
  const kind = testDbKind();
  let db: Database;
  let url: string | null = null;
  let drop: () => Promise<void> = async () => {};
  if (kind === "pglite") {
    db = await openDatabase({ kind: "pglite", dataDir: MEMORY });
  } else {
    const throwaway = await createThrowawayPostgres();
    url = throwaway.url;
    drop = throwaway.drop;
    db = await openDatabase({ kind: "postgresql", url, migrate: true, poolSize: 5 });
  }
  if (opts.seed !== false) await seedDatabase(db.prisma);
  if (opts.install !== false) setDatabase(db);
  return {
    db,
    kind,
    url,
    async dispose() {
      if (opts.install !== false) setDatabase(undefined);
      await db.close();
      await drop();
    },
  };
}

/** Seeded users by email, for building principals in tests. */
export async function seededUser(db: Database, email: string): Promise<UserRecord> {
  const u = await db.prisma.user.findUnique({
    where: { email },
    select: { id: true, orgId: true, email: true, name: true, role: true, teamId: true, disabledAt: true },
  });
  if (!u) throw new Error(`no seeded user ${email}`);
  return u;
}

/**
 * Audit events with chosen times and order, for tests of filters and exports. The insert trigger
 * stamps every other row's createdAt with the database clock; a superuser's replica mode (which
 * the test databases connect as) skips triggers, as an attacker owning the database could.
 */
export async function insertAuditFixtures(db: Database, rows: Prisma.AuditEventCreateManyInput[]): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
    await tx.auditEvent.createMany({ data: rows });
  });
}

/** A PostgreSQL database at `url` migrated and seeded, then closed (for tests that start servers on it). */
export async function migrateAndSeed(url: string): Promise<void> {
  const db = await openDatabase({ kind: "postgresql", url, migrate: true });
  try {
    await seedDatabase(db.prisma);
  } finally {
    await db.close();
  }
}

/** Installs, for this process, a database whose server never answers (tests of "database down"). */
export async function installUnreachableDatabase(): Promise<{ dispose(): Promise<void> }> {
  const down = await openDatabase({ kind: "postgresql", url: "postgresql://nobody@127.0.0.1:1/nothing", migrate: false });
  setDatabase(down);
  return {
    async dispose() {
      setDatabase(undefined);
      await down.close();
    },
  };
}

/**
 * Rows as the app reads them, for tests that look at what was stored: each sealed column
 * (lib/db/sealed-columns) of `table` present in the row is opened with its org's key.
 */
export async function openRows<T extends Record<string, unknown>>(table: string, rows: T[]): Promise<T[]> {
  const out: T[] = [];
  for (const row of rows) {
    const next: Record<string, unknown> = { ...row };
    for (const c of SEALED_COLUMNS) {
      if (c.table !== table || row[c.column] == null || typeof row.orgId !== "string") continue;
      next[c.column] = openColumn(c, await cipherFor(row.orgId), row, row[c.column]);
    }
    out.push(next as T);
  }
  return out;
}

export async function openRow<T extends Record<string, unknown>>(table: string, row: T): Promise<T>;
export async function openRow<T extends Record<string, unknown>>(table: string, row: T | null): Promise<T | null>;
export async function openRow<T extends Record<string, unknown>>(table: string, row: T | null): Promise<T | null> {
  return row ? (await openRows(table, [row]))[0]! : null;
}

/**
 * A database another process set up (a spec's throwaway PostgreSQL), installed as this
 * process's own, so app code and `openRows` run against it; `close` uninstalls it.
 */
export async function installDatabaseAt(opts: { kind: "pglite"; dataDir: string } | { kind: "postgresql"; url: string }): Promise<{ db: Database; close(): Promise<void> }> {
  const db = await openDatabaseAt(opts);
  setDatabase(db);
  return {
    db,
    async close() {
      setDatabase(undefined);
      await db.close();
    },
  };
}
