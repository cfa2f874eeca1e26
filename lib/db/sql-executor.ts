import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { Pool, PoolClient } from "pg";

/** The few raw-SQL operations the migration runner and test helpers need, on either engine. */
export interface SqlExecutor {
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (simple query protocol). */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Serializes work across processes (PostgreSQL advisory lock; PGlite is single-process). */
  withExclusiveLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
}

function pgliteTx(tx: Transaction): SqlExecutor {
  const self: SqlExecutor = {
    async query(sql, params) {
      return (await tx.query(sql, params)).rows as never;
    },
    async exec(sql) {
      await tx.exec(sql);
    },
    transaction: (fn) => fn(self),
    withExclusiveLock: (_key, fn) => fn(),
  };
  return self;
}

export function pgliteExecutor(pg: PGlite): SqlExecutor {
  return {
    async query(sql, params) {
      return (await pg.query(sql, params)).rows as never;
    },
    async exec(sql) {
      await pg.exec(sql);
    },
    transaction: (fn) => pg.transaction((tx) => fn(pgliteTx(tx))),
    withExclusiveLock: (_key, fn) => fn(),
  };
}

function clientExecutor(client: PoolClient): SqlExecutor {
  const self: SqlExecutor = {
    async query(sql, params) {
      return (await client.query(sql, params as unknown[])).rows;
    },
    async exec(sql) {
      await client.query(sql);
    },
    async transaction(fn) {
      await client.query("BEGIN");
      try {
        const result = await fn(self);
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
    },
    async withExclusiveLock(key, fn) {
      await client.query("SELECT pg_advisory_lock($1)", [key]);
      try {
        return await fn();
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [key]);
      }
    },
  };
  return self;
}

/** Runs fn on one pooled connection so that transactions and advisory locks hold. */
export async function withPgConnection<T>(pool: Pool, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(clientExecutor(client));
  } finally {
    client.release();
  }
}
