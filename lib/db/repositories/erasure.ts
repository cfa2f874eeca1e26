import { createHash } from "node:crypto";
import { fieldDigest, REDACTABLE_FIELDS, type FieldSalts, type RedactableField } from "@/lib/audit-record/canonical";
import type { AuditEventInput } from "@/lib/audit-record/events";
import { writeAudit } from "../audit";
import { getPrisma } from "../database";
import { withCipher } from "../keyring";
import { seal } from "../sealed-columns";
import type { ExportOwner } from "./data-export";

/**
 * Erasing one person's data, store by store. Every statement has the person's org and id in its
 * WHERE clause; every step is idempotent (a step run twice, e.g. by an erasure resumed after a
 * crash, finds nothing left the second time), so the job that drives them can always be re-run
 * from the start. What is deleted vs pseudonymized is decided in lib/privacy/erasure.
 */

/**
 * What stands in for an erased person where a row must stay (usage rows an org's spend is
 * counted from, team-view records shown to the conversation's owner): stable per person, so
 * totals still group, and not the id itself.
 */
export function erasedPseudonym(orgId: string, userId: string): string {
  return `erased-${createHash("sha256").update(`enclave:erased:${orgId}:${userId}`).digest("hex").slice(0, 24)}`;
}

/** A JSON parameter for raw SQL: SQL NULL for nothing. */
const jsonParam = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

interface AuditRow {
  id: string;
  pos: bigint;
  actorId: string | null;
  sessionId: string | null;
  targetId: string | null;
  inputHash: string | null;
  outputHash: string | null;
  content: unknown;
  data: unknown;
  salts: FieldSalts | null;
  redacted: Partial<Record<RedactableField, string>> | null;
}

export function erasureRepository(target: ExportOwner) {
  const scope = { orgId: target.orgId, userId: target.userId };
  const pseudonym = erasedPseudonym(target.orgId, target.userId);

  return {
    pseudonym,

    /** Who they are (null once the account is gone): what the audit trail is searched for. */
    async person(): Promise<{ email: string; name: string } | null> {
      const prisma = await getPrisma();
      return prisma.user.findFirst({ where: { id: target.userId, orgId: target.orgId }, select: { email: true, name: true } });
    },

    /** Account erasure starts here: the person can no longer sign in or use a session or key. */
    async lockOut(now = new Date()): Promise<{ sessions: number; apiKeys: number }> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        await tx.user.updateMany({ where: { id: target.userId, orgId: target.orgId, disabledAt: null }, data: { disabledAt: now } });
        const sessions = await tx.session.updateMany({ where: { ...scope, revokedAt: null }, data: { revokedAt: now } });
        const apiKeys = await tx.apiKey.updateMany({ where: { ...scope, revokedAt: null }, data: { revokedAt: now } });
        return { sessions: sessions.count, apiKeys: apiKeys.count };
      });
    },

    async countConversations(): Promise<number> {
      const prisma = await getPrisma();
      return prisma.conversation.count({ where: scope });
    },

    /** Up to `limit` of the person's conversations with their messages and the team views of them. */
    async deleteConversations(limit: number): Promise<{ conversations: number; messages: number }> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const rows = await tx.conversation.findMany({ where: scope, select: { id: true }, take: limit, orderBy: { id: "asc" } });
        if (rows.length === 0) return { conversations: 0, messages: 0 };
        const ids = rows.map((r) => r.id);
        const messages = await tx.message.count({ where: { ...scope, conversationId: { in: ids } } });
        await tx.conversationView.deleteMany({ where: { orgId: target.orgId, ownerId: target.userId, conversationId: { in: ids } } });
        const { count } = await tx.conversation.deleteMany({ where: { ...scope, id: { in: ids } } });
        return { conversations: count, messages };
      });
    },

    /** Memories, and for an account the preferences too. */
    async deleteMemories(opts: { preferences: boolean }): Promise<{ memories: number; preferences: number }> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const memories = await tx.memory.deleteMany({ where: scope });
        const preferences = opts.preferences ? await tx.userPreference.deleteMany({ where: scope }) : { count: 0 };
        return { memories: memories.count, preferences: preferences.count };
      });
    },

    /** Finished export archives hold a copy of everything: they go in both scopes. */
    async deleteExports(): Promise<number> {
      const prisma = await getPrisma();
      return (await prisma.dataExport.deleteMany({ where: scope })).count;
    },

    /** Team-view records of anyone's conversations that name the person (the conversation's title included). */
    async deleteViewsOfTheirConversations(): Promise<number> {
      const prisma = await getPrisma();
      return (await prisma.conversationView.deleteMany({ where: { orgId: target.orgId, ownerId: target.userId } })).count;
    },

    /**
     * Account erasure: the rows that must stay for others keep a pseudonym instead of the id
     * (usage the org's spend is counted from; views the viewed owners were shown), the person's
     * own settings rows go, and references to them as an editor are cleared.
     */
    async pseudonymizeAccount(): Promise<{ usageRecords: number; usageDaily: number; viewsAsViewer: number; settings: number }> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const usageRecords = await tx.usageRecord.updateMany({ where: scope, data: { userId: pseudonym } });
        const usageDaily = await tx.$executeRaw`
          UPDATE "UsageDaily" SET "userId" = ${pseudonym}
          WHERE "orgId" = ${target.orgId} AND "userId" = ${target.userId}`;
        const viewsAsViewer = await tx.conversationView.updateMany({ where: { orgId: target.orgId, viewerId: target.userId }, data: { viewerId: pseudonym } });
        const overrides = await tx.limitOverride.deleteMany({ where: { orgId: target.orgId, scope: "user", subjectId: target.userId } });
        const budgets = await tx.budget.deleteMany({ where: { orgId: target.orgId, scope: "user", subjectId: target.userId } });
        const notices = await tx.budgetNotice.deleteMany({ where: { orgId: target.orgId, budgetKey: `user:${target.userId}` } });
        await tx.limitOverride.updateMany({ where: { orgId: target.orgId, updatedById: target.userId }, data: { updatedById: null } });
        await tx.budget.updateMany({ where: { orgId: target.orgId, updatedById: target.userId }, data: { updatedById: null } });
        return {
          usageRecords: usageRecords.count,
          usageDaily,
          viewsAsViewer: viewsAsViewer.count,
          settings: overrides.count + budgets.count + notices.count,
        };
      });
    },

    /**
     * The audit trail forgets the person without breaking its chain: every sealed event of the
     * org that names them (as actor or target, or their id, email or name anywhere in its data or
     * content) is redacted (see lib/audit-record/canonical): their id becomes the pseudonym, what
     * was said (content, its hashes) and the session go, and their id, email and name are struck
     * from the data. Events sealed with hash version 1 (before redaction existed) cannot be
     * redacted: they are counted, not changed. Seal pending events first.
     */
    async redactAuditTrail(person: { email: string; name: string } | null, opts: { identity: boolean }): Promise<{ redacted: number; unredactable: number }> {
      const prisma = await getPrisma();
      // Content only (the account stays): what they said goes from their own events, nothing else.
      const needles = opts.identity ? [target.userId, person?.email ?? "", person?.name ?? ""].filter((n) => n.length >= 3) : [];
      const swap = (text: string) => {
        let out = text.split(target.userId).join(pseudonym);
        if (person) out = out.split(person.email).join("[erased]").split(person.name).join("[erased]");
        return out;
      };
      const scrub = (v: unknown): unknown => {
        if (typeof v === "string") return swap(v);
        if (Array.isArray(v)) return v.map(scrub);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k), scrub(x)]));
        return v;
      };
      /** Whether the event is about the person: the SQL above over-selects events with sealed content. */
      const names = async (row: AuditRow): Promise<boolean> => {
        if (row.actorId === target.userId || (opts.identity && row.targetId === target.userId)) return true;
        const text = `${JSON.stringify(row.data ?? null)}\n${JSON.stringify(row.content == null ? null : await withCipher(target.orgId, (c) => c.openJson(row.content, seal.auditContent())))}`;
        return needles.some((n) => text.includes(n));
      };
      let redacted = 0;
      let unredactable = 0;
      let after = -1n;
      for (;;) {
        const rows = await prisma.$queryRawUnsafe<AuditRow[]>(
          `SELECT "id", "pos", "actorId", "sessionId", "targetId", "inputHash", "outputHash", "content", "data", "salts", "redacted"
             FROM "AuditEvent"
            WHERE "orgId" = $1 AND "hash" IS NOT NULL AND "pos" > $2::bigint
              AND ("actorId" = $3 OR ($5 AND "targetId" = $3)
                   OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS n(v) WHERE strpos(coalesce("data"::text, ''), n.v) > 0 OR strpos(coalesce("content"::text, ''), n.v) > 0)
                   -- Sealed content cannot be searched here: it is opened and searched below.
                   OR (cardinality($4::text[]) > 0 AND jsonb_typeof("content") = 'string'))
            ORDER BY "pos" LIMIT 200`,
          target.orgId,
          after.toString(),
          target.userId,
          needles,
          opts.identity,
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          after = BigInt(row.pos);
          if (!(await names(row))) continue;
          if (!row.salts) {
            unredactable++;
            continue;
          }
          const theirs = row.actorId === target.userId;
          const next: Record<RedactableField, unknown> = opts.identity
            ? {
                actorId: theirs ? pseudonym : row.actorId,
                sessionId: theirs ? null : row.sessionId,
                targetId: row.targetId === target.userId ? pseudonym : row.targetId,
                inputHash: null,
                outputHash: null,
                content: null,
                data: row.data === null ? null : scrub(row.data),
              }
            : { ...row, inputHash: null, outputHash: null, content: null };
          const salts: FieldSalts = { ...row.salts };
          const kept: Partial<Record<RedactableField, string>> = { ...(row.redacted ?? {}) };
          for (const f of REDACTABLE_FIELDS) {
            if (JSON.stringify(next[f] ?? null) === JSON.stringify(row[f] ?? null)) continue;
            const salt = salts[f];
            // A field redacted before keeps the digest it has; its salt is already gone.
            if (!kept[f] && salt) kept[f] = fieldDigest(f, salt, row[f]);
            delete salts[f];
          }
          await prisma.$queryRawUnsafe(
            `SELECT enclave_audit_redact($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb) AS n`,
            row.id,
            next.actorId,
            next.sessionId,
            next.targetId,
            next.inputHash,
            next.outputHash,
            jsonParam(next.content),
            jsonParam(next.data),
            jsonParam(salts),
            jsonParam(kept),
          );
          redacted++;
        }
      }
      return { redacted, unredactable };
    },

    /** The person's other background jobs (queued exports…), never the erasure running now. */
    async deleteOtherJobs(exceptJobId: string): Promise<number> {
      const prisma = await getPrisma();
      return (await prisma.backgroundJob.deleteMany({ where: { ...scope, id: { not: exceptJobId } } })).count;
    },

    /**
     * Last: the erasure's record and, for an account, the account itself (its sessions, keys,
     * team-manager rows and remaining jobs go with it), in one transaction.
     */
    async finish(audit: AuditEventInput, opts: { deleteAccount: boolean; jobId: string; scope: string }): Promise<void> {
      const prisma = await getPrisma();
      await prisma.$transaction(async (tx) => {
        if (opts.deleteAccount) await tx.user.deleteMany({ where: { id: target.userId, orgId: target.orgId } });
        // The job's own row (an admin's, which outlives the account) no longer names the person.
        await tx.backgroundJob.updateMany({ where: { id: opts.jobId, orgId: target.orgId }, data: { payload: { userId: pseudonym, scope: opts.scope } } });
        await writeAudit(tx, audit);
      });
    },
  };
}

export type ErasureRepository = ReturnType<typeof erasureRepository>;
