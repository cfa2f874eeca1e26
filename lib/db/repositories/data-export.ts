import type { AuditEventInput } from "@/lib/audit-record/events";
import { writeAudit } from "../audit";
import { getPrisma } from "../database";
import type { Prisma } from "../generated/client";
import { cipherFor, withCipher } from "../keyring";
import { seal } from "../sealed-columns";

/** The person a data export is about: their org and user id (the job's owner). */
export interface ExportOwner {
  orgId: string;
  userId: string;
}

export interface ExportedConversation {
  id: string;
  title: string;
  createdAt: Date;
  updatedAt: Date;
  messages: Array<{ id: string; role: string; parts: unknown; status: string; model: string | null; createdAt: Date }>;
}

export interface ExportedAuditEvent {
  id: string;
  createdAt: Date;
  actorId: string | null;
  action: string;
  target: { type: string; id: string } | null;
  outcome: string;
  content: unknown;
  data: unknown;
}

export interface StoredArchive {
  jobId: string;
  archive: string;
  bytes: number;
  createdAt: Date;
  expiresAt: Date;
}

const IN_CHUNK = 500;

/**
 * Reads for one person's data export, and the stored archive. Every query has the owner's org
 * and user in its WHERE clause; audit events are the org's events the person did or that name
 * them or one of their conversations.
 */
export function dataExportRepository(owner: ExportOwner) {
  const scope = { orgId: owner.orgId, userId: owner.userId };
  return {
    async person(): Promise<{ id: string; email: string; name: string; role: string; createdAt: Date; org: { id: string; name: string; slug: string } } | null> {
      const prisma = await getPrisma();
      return prisma.user.findFirst({
        where: { id: owner.userId, orgId: owner.orgId },
        select: { id: true, email: true, name: true, role: true, createdAt: true, org: { select: { id: true, name: true, slug: true } } },
      });
    },

    async countConversations(): Promise<number> {
      const prisma = await getPrisma();
      return prisma.conversation.count({ where: scope });
    },

    /** Oldest first, `batchSize` at a time with their messages, so a long history is never held whole. */
    async *conversations(batchSize = 50): AsyncGenerator<ExportedConversation[], void, undefined> {
      const prisma = await getPrisma();
      let after: { createdAt: Date; id: string } | null = null;
      for (;;) {
        const rows: ExportedConversation[] = await prisma.conversation.findMany({
          where: {
            ...scope,
            ...(after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : {}),
          },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: batchSize,
          select: {
            id: true,
            title: true,
            createdAt: true,
            updatedAt: true,
            messages: {
              where: scope,
              orderBy: [{ createdAt: "asc" }, { id: "asc" }],
              select: { id: true, role: true, parts: true, status: true, model: true, createdAt: true },
            },
          },
        });
        if (rows.length === 0) return;
        yield await withCipher(owner.orgId, (c) =>
          rows.map((r) => ({
            ...r,
            title: c.open(r.title, seal.title(owner.userId)),
            messages: r.messages.map((m) => ({ ...m, parts: c.openJson(m.parts, seal.parts(owner.userId)) })),
          })),
        );
        const last = rows[rows.length - 1]!;
        after = { createdAt: last.createdAt, id: last.id };
        if (rows.length < batchSize) return;
      }
    },

    async memories() {
      const prisma = await getPrisma();
      const rows = await prisma.memory.findMany({
        where: scope,
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, text: true, origin: true, status: true, sourceConversationId: true, createdAt: true, updatedAt: true },
      });
      return withCipher(owner.orgId, (c) => rows.map((r) => ({ ...r, text: c.open(r.text, seal.memory(owner.userId)) })));
    },

    /** The owner's metered model calls, oldest first (cost as a decimal string, never rounded). */
    async usageRecords() {
      const prisma = await getPrisma();
      const rows = await prisma.usageRecord.findMany({
        where: scope,
        orderBy: [{ at: "asc" }, { id: "asc" }],
        select: { id: true, at: true, conversationId: true, requestId: true, agent: true, deploymentId: true, provider: true, model: true, inputTokens: true, outputTokens: true, cached: true, costUsd: true, defaultPriced: true },
      });
      return rows.map((r) => ({ ...r, at: r.at.toISOString(), costUsd: r.costUsd.toString() }));
    },

    async preferences() {
      const prisma = await getPrisma();
      const row = await prisma.userPreference.findFirst({
        where: scope,
        select: { memoryEnabled: true, memorySaveMode: true, language: true, tone: true, defaultTier: true, updatedAt: true },
      });
      if (!row) return null;
      return withCipher(owner.orgId, (c) => ({
        ...row,
        language: c.openNullable(row.language, seal.language(owner.userId)),
        tone: c.openNullable(row.tone, seal.tone(owner.userId)),
      }));
    },

    /** Events of the owner's org that they did, or that are about them or one of their conversations. */
    async auditEvents(conversationIds: readonly string[]): Promise<ExportedAuditEvent[]> {
      const prisma = await getPrisma();
      const about: Prisma.AuditEventWhereInput[] = [{ actorId: owner.userId }, { targetType: "user", targetId: owner.userId }];
      for (let i = 0; i < conversationIds.length; i += IN_CHUNK) {
        about.push({ targetType: "conversation", targetId: { in: conversationIds.slice(i, i + IN_CHUNK) } });
      }
      const rows = await prisma.auditEvent.findMany({
        where: { orgId: owner.orgId, OR: about },
        orderBy: { pos: "asc" },
        select: { id: true, createdAt: true, actorId: true, action: true, targetType: true, targetId: true, outcome: true, content: true, data: true },
      });
      return withCipher(owner.orgId, (c) =>
        rows.map((r) => ({
          id: r.id,
          createdAt: r.createdAt,
          actorId: r.actorId,
          action: r.action,
          target: r.targetType && r.targetId ? { type: r.targetType, id: r.targetId } : null,
          outcome: r.outcome,
          content: r.content == null ? null : c.openJson(r.content, seal.auditContent()),
          data: r.data ?? null,
        })),
      );
    },

    /** Stores the finished archive with the event recording it, in one transaction. */
    async saveArchive(row: { jobId: string; archive: string; expiresAt: Date }, audit: AuditEventInput): Promise<void> {
      const prisma = await getPrisma();
      const archive = (await cipherFor(owner.orgId)).seal(row.archive, seal.archive(owner.userId));
      await prisma.$transaction(async (tx) => {
        await tx.dataExport.create({ data: { ...scope, jobId: row.jobId, archive, bytes: Buffer.byteLength(row.archive), expiresAt: row.expiresAt } });
        await writeAudit(tx, audit);
      });
    },

    /** The owner's archive of this job, expired or not (the caller decides); null if not theirs. */
    async archive(jobId: string): Promise<StoredArchive | null> {
      const prisma = await getPrisma();
      const row = await prisma.dataExport.findFirst({ where: { jobId, ...scope }, select: { jobId: true, archive: true, bytes: true, createdAt: true, expiresAt: true } });
      if (!row) return null;
      return withCipher(owner.orgId, (c) => ({ ...row, archive: c.open(row.archive, seal.archive(owner.userId)) }));
    },

    /** Just the expiry (for a job's downloadUrl), without reading the archive itself. */
    async archiveExpiry(jobId: string): Promise<Date | null> {
      const prisma = await getPrisma();
      const row = await prisma.dataExport.findFirst({ where: { jobId, ...scope }, select: { expiresAt: true } });
      return row?.expiresAt ?? null;
    },

    /** My recent export jobs, newest first, with their archive's expiry once there is one. */
    async recentJobs(kind: string, limit = 5) {
      const prisma = await getPrisma();
      return prisma.backgroundJob.findMany({
        where: { ...scope, kind },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: limit,
        select: { id: true, status: true, progress: true, createdAt: true, finishedAt: true, dataExport: { select: { expiresAt: true, bytes: true } } },
      });
    },

    async recordDownload(audit: AuditEventInput): Promise<void> {
      const prisma = await getPrisma();
      await writeAudit(prisma, audit);
    },
  };
}
