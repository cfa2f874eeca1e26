import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { cliDatabase } from "@/lib/db/cli-testing";

/**
 * `npm run audit:verify` as an operator runs it: a separate process on the same database. It
 * exits 0 on an intact chain and 1 naming the first broken event after tampering.
 */
const cli = cliDatabase("verify");
const { kind, open } = cli;
const runCli = () => cli.run("scripts/audit-verify.ts");

beforeAll(async () => {
  await cli.create();
  const db = await open();
  const acme = await db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  for (let i = 0; i < 12; i++) {
    await db.prisma.auditEvent.create({ data: { id: `cli-${i}-${randomUUID()}`, orgId: acme.id, action: "org.settings_changed", data: { i } } });
  }
  await db.close();
});

afterAll(async () => {
  await cli.dispose();
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
