import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, TEST_DATABASE_ADMIN_URL, type TestDatabase } from "./testing";
import { isIdempotentRead } from "./client";

// PostgreSQL only: the server drops the connection a read is running on (an admin kill, a
// restart): the read is retried once on a fresh connection instead of failing the request.
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false, install: false });
});
afterAll(async () => t?.dispose());

// (Prisma's promises start only when awaited or then'd: each query is started with .then first.)
async function killReadsSoon(marker: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const { rows } = await admin.query(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`,
        [`%${marker}%`],
      );
      if (rows.length > 0) return;
    }
  } finally {
    await admin.end();
  }
}

describe("a read whose connection the server dropped (PostgreSQL)", () => {
  it("is retried once on a fresh connection", async () => {
    const marker = `read_retry_${Date.now()}`;
    const read = t.db.prisma.$queryRawUnsafe<Array<{ ok: number }>>(`SELECT 1 AS ok, '${marker}' AS m, pg_sleep(0.4)::text AS s`).then((r) => r);
    await killReadsSoon(marker);
    expect((await read)[0]?.ok).toBe(1);
  });

  it("writes are not retried (they may have happened)", async () => {
    const marker = `write_no_retry_${Date.now()}`;
    const write = t.db.prisma.$executeRawUnsafe(`CREATE TEMP TABLE IF NOT EXISTS t_${Date.now()} AS SELECT '${marker}' AS m, pg_sleep(0.4)::text AS s`).then(
      () => null,
      (e: unknown) => e,
    );
    await killReadsSoon(marker);
    expect(await write).toBeInstanceOf(Error);
  });

  it("knows a plain read from anything else", () => {
    expect(isIdempotentRead(`SELECT "id" FROM "User" WHERE "id" = $1`)).toBe(true);
    expect(isIdempotentRead(`  select 1`)).toBe(true);
    for (const sql of [`SELECT * FROM "User" FOR UPDATE`, `SELECT nextval('x')`, `UPDATE "User" SET "name" = 'x'`, `INSERT INTO x SELECT 1`, `WITH x AS (DELETE FROM y RETURNING *) SELECT * FROM x`]) {
      expect(isIdempotentRead(sql), sql).toBe(false);
    }
  });
});
