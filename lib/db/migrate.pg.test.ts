import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import { readMigrations, runMigrations } from "./migrate";
import { createBlankDatabase } from "./testing";

// PostgreSQL-only behaviour: several instances share one database (PGlite is single-process).
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function blankPostgres() {
  const blank = await createBlankDatabase("postgresql");
  cleanups.push(() => blank.dispose());
  return blank;
}

describe("migration runner on PostgreSQL", () => {
  it("concurrent runners (several instances starting) apply each migration once", async () => {
    const { db, url } = await blankPostgres();
    const others = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: "postgresql", url: url!, migrate: false })));
    cleanups.push(async () => {
      await Promise.all(others.map((o) => o.close()));
    });
    const results = await Promise.all([db, ...others].map((d) => d.withSql((sql) => runMigrations(sql))));
    const appliedCounts = results.map((r) => r.applied.length);
    expect(appliedCounts.reduce((a, b) => a + b, 0)).toBe(readMigrations().length);
    const rows = await db.withSql((sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`));
    expect(rows[0]!.n).toBe(readMigrations().length);
  });

  it("the app refuses to start on PostgreSQL with pending migrations, naming the command", async () => {
    const { url } = await blankPostgres();
    await expect(openDatabase({ kind: "postgresql", url: url! })).rejects.toThrow(/npm run db:migrate/);
  });
});
