import { z } from "zod";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { getPrisma } from "../database";
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

export function conversationRepository(p: Principal) {
  const scope = ownerScope(p);
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
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    async getById(id: string): Promise<ConversationSummary | null> {
      const prisma = await getPrisma();
      return prisma.conversation.findFirst({ where: { id, ...scope }, select });
    },

    async rename(id: string, title: string): Promise<ConversationSummary | null> {
      const prisma = await getPrisma();
      // updateMany lets the scope sit in the WHERE clause; update() only accepts unique keys.
      const { count } = await prisma.conversation.updateMany({ where: { id, ...scope }, data: { title } });
      if (count === 0) return null;
      return prisma.conversation.findFirst({ where: { id, ...scope }, select });
    },

    async remove(id: string): Promise<boolean> {
      const prisma = await getPrisma();
      const { count } = await prisma.conversation.deleteMany({ where: { id, ...scope } });
      return count > 0;
    },
  };
}

export type ConversationRepository = ReturnType<typeof conversationRepository>;
