/**
 * The retention purge: conversations an org keeps for a limited time. It runs for the whole
 * database, not for one principal (a schedule or an operator is behind it, no request), so the
 * functions are named `unsafe…` and used only by lib/privacy/retention.
 */
import { writeAudit } from "./audit";
import { getPrisma } from "./database";

export interface RetentionPolicyRow {
  orgId: string;
  retentionDays: number;
}

/** Orgs that keep conversations for a limited time. */
export async function unsafeOrgsWithRetention(): Promise<RetentionPolicyRow[]> {
  const prisma = await getPrisma();
  const rows = await prisma.org.findMany({
    where: { retentionDays: { not: null } },
    select: { id: true, retentionDays: true },
    orderBy: { id: "asc" },
  });
  return rows.flatMap((r) => (r.retentionDays === null ? [] : [{ orgId: r.id, retentionDays: r.retentionDays }]));
}

export interface PurgedBatch {
  conversations: number;
  messages: number;
  teamViews: number;
}

/**
 * Deletes up to `limit` of the org's conversations last active before `cutoff`, their messages
 * (by the foreign key) and the team-view records that name them, and records what went in the
 * same transaction: either all of it is gone and said so, or none of it. Rows another purge is
 * deleting at the same moment are skipped (SKIP LOCKED), so two instances never count one
 * conversation twice. A batch that found nothing writes nothing.
 */
export async function unsafePurgeConversationsBefore(
  orgId: string,
  cutoff: Date,
  limit: number,
  policy: { retentionDays: number },
): Promise<PurgedBatch> {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const victims = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT c."id" FROM "Conversation" c
      WHERE c."orgId" = ${orgId} AND c."updatedAt" < ${cutoff}
      ORDER BY c."updatedAt" ASC, c."id" ASC
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
    if (victims.length === 0) return { conversations: 0, messages: 0, teamViews: 0 };
    const ids = victims.map((v) => v.id);
    const messages = await tx.message.count({ where: { orgId, conversationId: { in: ids } } });
    const views = await tx.conversationView.deleteMany({ where: { orgId, conversationId: { in: ids } } });
    const { count } = await tx.conversation.deleteMany({ where: { orgId, id: { in: ids } } });
    const batch = { conversations: count, messages, teamViews: views.count };
    await writeAudit(tx, {
      orgId,
      actorId: null,
      action: "retention.purged",
      target: { type: "org", id: orgId },
      data: { ...batch, retentionDays: policy.retentionDays, lastActiveBefore: cutoff.toISOString() },
    });
    return batch;
  });
}

/** The org's policy, for showing it (null: kept until deleted). */
export async function retentionDaysOf(orgId: string): Promise<number | null> {
  const prisma = await getPrisma();
  const org = await prisma.org.findUnique({ where: { id: orgId }, select: { retentionDays: true } });
  return org?.retentionDays ?? null;
}
