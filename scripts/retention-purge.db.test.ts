import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliDatabase } from "@/lib/db/cli-testing";

/**
 * `npm run retention:purge` as an operator runs it: a separate process on the same database. It
 * removes what is past the org's period, says so per org, and leaves the audit chain intact.
 */
const cli = cliDatabase("retention");
const { kind, open } = cli;
const run = (script: string) => cli.run(script);
const DAY = 86_400_000;

beforeAll(async () => {
  await cli.create();
  const db = await open();
  const acme = await db.prisma.org.update({ where: { slug: "acme" }, data: { retentionDays: 7 }, select: { id: true } });
  const alice = await db.prisma.user.findFirstOrThrow({ where: { email: "alice@acme.test" }, select: { id: true } });
  for (const [id, daysAgo] of [["old-1", 30], ["old-2", 8], ["fresh", 1]] as const) {
    const at = new Date(Date.now() - daysAgo * DAY);
    await db.prisma.conversation.create({ data: { id, orgId: acme.id, userId: alice.id, title: id, createdAt: at, updatedAt: at } });
    await db.prisma.message.create({ data: { id: `${id}-m`, conversationId: id, orgId: acme.id, userId: alice.id, role: "user", parts: [{ type: "text", text: id }], createdAt: at } });
  }
  await db.close();
});

afterAll(async () => {
  await cli.dispose();
});

describe(`npm run retention:purge (${kind})`, () => {
  it("purges what is past the period, prints it, and the audit chain still verifies", async () => {
    const r = run("scripts/retention-purge.ts");
    expect(r.out).toMatch(/purged\s+org \S+ \(keeps 7 days\): 2 conversations, 2 messages/);
    expect(r.status).toBe(0);
    const db = await open();
    try {
      expect((await db.prisma.conversation.findMany({ select: { id: true } })).map((c) => c.id)).toEqual(["fresh"]);
      expect(await db.prisma.auditEvent.count({ where: { action: "retention.purged", sealedAt: { not: null } } })).toBe(1);
    } finally {
      await db.close();
    }
    const verify = run("scripts/audit-verify.ts");
    expect(verify.out).toMatch(/ok\s+org/);
    expect(verify.status).toBe(0);
    const again = run("scripts/retention-purge.ts");
    expect(again.out).toMatch(/0 conversations/);
    expect(again.status).toBe(0);
  });
});
