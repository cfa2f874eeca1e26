import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client";
import { acquireDataDirLock, type DataDirLock } from "./pglite-lock";
import { pgliteExecutor, withPgConnection, type SqlExecutor } from "./sql-executor";
import { pendingMigrations, runMigrations } from "./migrate";
import { isDatabaseUnavailable } from "./prisma-errors";

export type DatabaseKind = "pglite" | "postgresql";

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /** Raw SQL on a dedicated connection, for migrations, tests and maintenance. */
  withSql<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type OpenOptions =
  | { kind: "pglite"; dataDir: string; migrate?: boolean; log?: (line: string) => void }
  | { kind: "postgresql"; url: string; migrate?: boolean; poolSize?: number; log?: (line: string) => void };

export const MEMORY = "memory://";

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.kind === "pglite" ? openPglite(opts) : openPostgres(opts);
}

async function openPglite(opts: Extract<OpenOptions, { kind: "pglite" }>): Promise<Database> {
  const inMemory = opts.dataDir.startsWith("memory://");
  let lock: DataDirLock | undefined;
  let dataDir = opts.dataDir;
  if (!inMemory) {
    dataDir = resolve(opts.dataDir);
    // Take the lock before touching the directory: a second opener must not even initialise it.
    lock = acquireDataDirLock(dataDir);
    mkdirSync(dirname(dataDir), { recursive: true });
  }
  try {
    const client = await PGlite.create(dataDir);
    const sql = pgliteExecutor(client);
    if (opts.migrate !== false) await runMigrations(sql, { log: opts.log });
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
    return {
      kind: "pglite",
      prisma,
      withSql: (fn) => fn(sql),
      async close() {
        await prisma.$disconnect();
        await client.close();
        lock?.release();
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

/**
 * An idle pooled connection that the server drops (restart, failover, admin kill) emits 'error'
 * on its pool; unhandled, that event would crash the process. Log it; the pool reconnects.
 */
function guardedPool(config: pg.PoolConfig, log?: (line: string) => void): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on("error", (err) => log?.(`database connection dropped: ${err.message}`));
  return pool;
}

const READ = /^\s*(?:\/\*[\s\S]*?\*\/\s*)?SELECT\b/i;
const NOT_IDEMPOTENT = /\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\b(?:nextval|setval|pg_advisory\w*|pg_try_advisory\w*|pg_terminate_backend)\s*\(/i;

/** A plain SELECT: running it twice gives the same effect as once. */
export function isIdempotentRead(sql: string | undefined): boolean {
  return typeof sql === "string" && READ.test(sql) && !NOT_IDEMPOTENT.test(sql);
}

/**
 * Statements outside a transaction go through pool.query, each on a connection from the pool. If
 * the server dropped that connection (restart, failover, idle kill) a plain read is retried once,
 * on a fresh connection; writes and anything else are not (they may have happened).
 */
export function retryReadsOnce(pool: pg.Pool, log?: (line: string) => void): pg.Pool {
  const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>;
  const retrying = async (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof values === "function" || typeof callback === "function") return (query as (...a: unknown[]) => unknown)(config, values, callback);
    try {
      return await query(config, values);
    } catch (err) {
      const text = typeof config === "string" ? config : (config as { text?: string } | null)?.text;
      if (!isIdempotentRead(text) || !isDatabaseUnavailable(err)) throw err;
      log?.(`retrying a read on a fresh connection: ${(err as Error).message}`);
      return query(config, values);
    }
  };
  pool.query = retrying as unknown as typeof pool.query;
  return pool;
}

async function openPostgres(opts: Extract<OpenOptions, { kind: "postgresql" }>): Promise<Database> {
  // One small pool for raw SQL (migrations, maintenance) and one for Prisma.
  const pool = guardedPool({ connectionString: opts.url, max: 2 }, opts.log);
  try {
    if (opts.migrate === true) {
      await withPgConnection(pool, (sql) => runMigrations(sql, { log: opts.log }));
    } else if (opts.migrate === undefined) {
      const pending = await withPgConnection(pool, (sql) => pendingMigrations(sql));
      if (pending.length > 0) {
        throw new Error(
          `The PostgreSQL database has ${pending.length} pending migration(s) (${pending.join(", ")}). ` +
            `Run \`npm run db:migrate\` before starting Enclave.`,
        );
      }
    }
  } catch (e) {
    await pool.end();
    throw e;
  }
  const appPool = retryReadsOnce(guardedPool({ connectionString: opts.url, max: opts.poolSize ?? 20 }, opts.log), opts.log);
  const prisma = new PrismaClient({ adapter: new PrismaPg(appPool) });
  return {
    kind: "postgresql",
    prisma,
    withSql: (fn) => withPgConnection(pool, fn),
    async close() {
      await prisma.$disconnect();
      await appPool.end();
      await pool.end();
    },
  };
}
