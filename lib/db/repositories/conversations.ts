import { z } from "zod";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { sha256 } from "@/lib/audit-record/canonical";
import { contentFor, type ContentPolicy } from "@/lib/audit-record/redact";
import { actorOf, auditContentPolicy, writeAudit } from "../audit";
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";
import { getPrisma } from "../database";
import { withCipher } from "../keyring";
import { seal } from "../sealed-columns";
import { ownerScope } from "../scope";
import type { ConversationSummary, Page } from "../types";

const select = { id: true, title: true, createdAt: true, updatedAt: true } as const;

const CursorSchema = z.object({ u: z.iso.datetime(), i: z.string().min(1).max(128) });

function encodeCursor(c: ConversationSummary): string {
  return Buffer.from(JSON.stringify({ u: c.updatedAt.toISOString(), i: c.id })).toString("base64url");
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const parsed = CursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { updatedAt: new Date(parsed.u), id: parsed.i };
  } catch {
    throw new AppError("bad_request", "Invalid cursor: pass back the nextCursor value from a previous page.", {
      fields: [{ field: "cursor", message: "not a cursor this API issued" }],
    });
  }
}

/** Titles as the org's audit content policy allows them (none under "hashes"). */
function titleContent(policy: ContentPolicy, titles: Record<string, string>): Record<string, string> | null {
  if (policy === "hashes") return null;
  return Object.fromEntries(Object.entries(titles).map(([k, v]) => [k, contentFor(policy, v) ?? ""]));
}

export function conversationRepository(p: Principal) {
  const scope = ownerScope(p);
  const opened = (c: ContentCipher) => (r: ConversationSummary): ConversationSummary => ({ ...r, title: c.open(r.title, seal.title(p.userId)) });
  return {
    /** Newest activity first, keyset-paginated so pages stay stable and cheap at any depth. */
    async list({ limit, cursor }: { limit: number; cursor?: string | null }): Promise<Page<ConversationSummary>> {
      const prisma = await getPrisma();
      const after = cursor ? decodeCursor(cursor) : null;
      const rows = await prisma.conversation.findMany({
        where: {
          ...scope,
          ...(after
            ? {
                OR: [
                  { updatedAt: { lt: after.updatedAt } },
                  { updatedAt: after.updatedAt, id: { lt: after.id } },
                ],
              }
            : {}),
        },
        orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
        take: limit + 1,
        select,
      });
      const items = await withCipher(p.orgId, (c) => rows.slice(0, limit).map(opened(c)));
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    async getById(id: string): Promise<ConversationSummary | null> {
      const prisma = await getPrisma();
      const row = await prisma.conversation.findFirst({ where: { id, ...scope }, select });
      return row && withCipher(p.orgId, (c) => opened(c)(row));
    },

    /**
     * Renames one of my conversations; the audit event is written in the same transaction. The
     * titles are what the user wrote: the event keeps their hashes, and their text only as the
     * org's content policy allows (never in `data`, which every audit reader sees).
     */
    async rename(id: string, title: string, opts: { requestId?: string } = {}): Promise<ConversationSummary | null> {
      const prisma = await getPrisma();
      const policy = await auditContentPolicy(p.orgId);
      // A key version this process has not loaded yet throws before anything commits; withCipher
      // then runs the whole transaction again with the reloaded keyring.
      return withCipher(p.orgId, (c) => prisma.$transaction(async (tx) => {
        const stored = await tx.conversation.findFirst({ where: { id, ...scope }, select });
        if (!stored) return null;
        const before = opened(c)(stored);
        if (before.title === title) return before;
        // updateMany lets the scope sit in the WHERE clause; update() only accepts unique keys.
        const { count } = await tx.conversation.updateMany({ where: { id, ...scope }, data: { title: c.seal(title, seal.title(p.userId)) } });
        if (count === 0) return null;
        await writeAudit(tx, {
          ...actorOf(p, opts.requestId),
          action: "conversation.renamed",
          target: { type: "conversation", id },
          inputHash: sha256(before.title),
          outputHash: sha256(title),
          content: titleContent(policy, { from: before.title, to: title }),
          data: { via: p.via },
        });
        const after = await tx.conversation.findFirst({ where: { id, ...scope }, select });
        return after && opened(c)(after);
      }));
    },

    /** Deletes one of my conversations (and its messages), with its audit event in the same transaction. */
    async remove(id: string, opts: { requestId?: string } = {}): Promise<boolean> {
      const prisma = await getPrisma();
      const policy = await auditContentPolicy(p.orgId);
      return withCipher(p.orgId, (c) => prisma.$transaction(async (tx) => {
        const stored = await tx.conversation.findFirst({
          where: { id, ...scope },
          select: { title: true, createdAt: true, _count: { select: { messages: true } } },
        });
        if (!stored) return false;
        const before = { ...stored, title: c.open(stored.title, seal.title(p.userId)) };
        const { count } = await tx.conversation.deleteMany({ where: { id, ...scope } });
        if (count === 0) return false;
        await writeAudit(tx, {
          ...actorOf(p, opts.requestId),
          action: "conversation.deleted",
          target: { type: "conversation", id },
          inputHash: sha256(before.title),
          content: titleContent(policy, { title: before.title }),
          data: { via: p.via, messages: before._count.messages, createdAt: before.createdAt.toISOString() },
        });
        return true;
      }));
    },
  };
}

export type ConversationRepository = ReturnType<typeof conversationRepository>;
