/**
 * Replies left `streaming` by a server process that died (kill -9, a crash, a lost machine).
 * Each process registers itself and beats; a reply belongs to the process that streams it. A
 * reply whose process stopped beating is closed as interrupted, keeping the text it last saved.
 * These run for the whole database, not for one principal (no request is behind them), so they
 * are named `unsafe…` and used only by lib/chat/recovery.
 */
import { getPrisma } from "./database";
import { withCipher } from "./keyring";
import { seal, textsOf } from "./sealed-columns";

/** Registers this process, or records that it is still alive. Times are the database's own clock. */
export async function unsafeHeartbeat(id: string): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$executeRaw`
    INSERT INTO "ServerInstance" ("id", "startedAt", "heartbeatAt")
    VALUES (${id}, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
    ON CONFLICT ("id") DO UPDATE SET "heartbeatAt" = now() AT TIME ZONE 'UTC'`;
}

export async function unsafeRemoveInstance(id: string): Promise<void> {
  const prisma = await getPrisma();
  await prisma.serverInstance.deleteMany({ where: { id } });
}

export interface OrphanedReply {
  id: string;
  orgId: string;
  userId: string;
  conversationId: string;
  requestId: string | null;
  createdAt: Date;
  /** Characters of text saved before the process died. */
  chars: number;
}

export interface OrphanSweep {
  /** This process: its own replies are orphans only once older than `maxStreamMs`. */
  instanceId: string;
  /** An instance that has not beaten for this long is gone. */
  staleAfterMs: number;
  /** Any reply still streaming this long after it started is closed, whoever owns it. */
  maxStreamMs: number;
  /** The database has one process (embedded mode): every other instance's reply is an orphan. */
  soleProcess: boolean;
  reason: string;
}

/**
 * Marks orphaned replies interrupted in one statement and returns them (for the audit trail).
 * Only `streaming` rows move, so a reply that finished meanwhile is left alone.
 */
export async function unsafeInterruptOrphanedReplies(s: OrphanSweep): Promise<OrphanedReply[]> {
  const prisma = await getPrisma();
  const staleSecs = s.staleAfterMs / 1000;
  const maxStreamSecs = s.maxStreamMs / 1000;
  const rows = await prisma.$queryRaw<Array<Omit<OrphanedReply, "chars"> & { parts: unknown }>>`
    UPDATE "Message" m
    SET "status" = 'interrupted', "error" = ${s.reason}, "updatedAt" = now() AT TIME ZONE 'UTC'
    WHERE m."status" = 'streaming'
      AND (
        m."createdAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${maxStreamSecs}::float8)
        OR (
          (m."instanceId" IS NULL OR m."instanceId" <> ${s.instanceId})
          AND (
            ${s.soleProcess}
            OR NOT EXISTS (
              SELECT 1 FROM "ServerInstance" i
              WHERE i."id" = m."instanceId" AND i."heartbeatAt" >= (now() AT TIME ZONE 'UTC') - make_interval(secs => ${staleSecs}::float8)
            )
          )
        )
      )
    RETURNING m."id", m."orgId", m."userId", m."conversationId", m."requestId", m."createdAt", m."parts"`;
  // Instances that stopped beating long ago are forgotten.
  const forgetSecs = Math.max(staleSecs * 10, 3600);
  await prisma.$executeRaw`DELETE FROM "ServerInstance" WHERE "heartbeatAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${forgetSecs}::float8)`;
  // The saved text is sealed: its length is counted once opened, and its blind index (which
  // checkpoints skip; finish() would have written it) is written now, so search finds it.
  const out: OrphanedReply[] = [];
  for (const { parts, ...r } of rows) {
    const { chars, terms } = await withCipher(r.orgId, (c) => {
      const texts = textsOf(c.openJson(parts, seal.parts(r.userId)));
      return { chars: texts.reduce((n, t) => n + t.length, 0), terms: c.indexTerms(texts.join("\n")) };
    });
    await prisma.$executeRaw`UPDATE "Message" SET "terms" = ${terms}::text[] WHERE "conversationId" = ${r.conversationId} AND "id" = ${r.id} AND "status" = 'interrupted'`;
    out.push({ ...r, chars });
  }
  return out;
}
