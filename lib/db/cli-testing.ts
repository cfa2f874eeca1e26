import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedDatabase } from "./seed";
import { createThrowawayPostgres, openDatabaseAt, testDbKind } from "./testing";

/**
 * A seeded database of its own for tests of an npm script run as an operator runs it: a
 * separate process on the same database (PGlite in a data directory, or a throwaway PostgreSQL
 * database, by ENCLAVE_TEST_DB).
 */
export function cliDatabase(name: string) {
  const kind = testDbKind();
  let dataDir = "";
  let pgUrl: string | null = null;
  let dropPg: (() => Promise<void>) | null = null;

  const open = () =>
    kind === "pglite" ? openDatabaseAt({ kind: "pglite", dataDir: join(dataDir, "pglite") }) : openDatabaseAt({ kind: "postgresql", url: pgUrl! });

  return {
    kind,
    open,
    /** The data directory the scripts run with (ENCLAVE_DATA_DIR). */
    dataDir(): string {
      return dataDir;
    },
    /** Where the database is, as openDatabaseAt and installDatabaseAt take it. */
    location(): { kind: "pglite"; dataDir: string } | { kind: "postgresql"; url: string } {
      return kind === "pglite" ? { kind: "pglite", dataDir: join(dataDir, "pglite") } : { kind: "postgresql", url: pgUrl! };
    },
    /** Creates and seeds the database; call from beforeAll. */
    async create(): Promise<void> {
      dataDir = mkdtempSync(join(tmpdir(), `enclave-${name}-`));
      if (kind === "postgresql") {
        const pg = await createThrowawayPostgres();
        pgUrl = pg.url;
        dropPg = pg.drop;
      }
      const db = await open();
      await seedDatabase(db.prisma);
      await db.close();
    },
    /** Runs `script` with tsx in a child process on this database. */
    run(script: string, opts: { args?: string[]; env?: Record<string, string | undefined> } = {}): { status: number | null; out: string } {
      const env = { ...process.env, ENCLAVE_DATA_DIR: dataDir, DATABASE_URL: pgUrl ?? "", AUDIT_SIGNING_KEY: "cli-test-signing-key-0123456789", LOG_LEVEL: "silent", ...opts.env };
      const r = spawnSync(process.execPath, ["--import", "tsx", script, ...(opts.args ?? [])], { env, encoding: "utf8", timeout: 120_000 });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    },
    async dispose(): Promise<void> {
      await dropPg?.();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
