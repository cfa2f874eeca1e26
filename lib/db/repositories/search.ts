import type { Principal } from "@/lib/principal";
import { getPrisma } from "../database";
import { ownerScope } from "../scope";

export interface MessageSearchHit {
  conversationId: string;
  conversationTitle: string;
  messageId: string;
  role: "user" | "assistant" | "system";
  createdAt: Date;
  /** The matching passage, matched words wrapped in ** (ts_headline). */
  snippet: string;
  rank: number;
}

export interface MessageSearchOptions {
  limit?: number;
  /** Leave this conversation out (the turn asking: its own question would match itself). */
  excludeConversationId?: string;
}

const MAX_TERMS = 8;
const MAX_LIMIT = 20;

/**
 * The search terms as a tsquery: words (letters and digits only, so nothing the user or a model
 * writes can be tsquery syntax), each as a prefix, any of them matching; ranking puts messages
 * with more of them first. Null when nothing searchable is left.
 */
export function toPrefixQuery(text: string): string | null {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1 && w.length <= 64))].slice(0, MAX_TERMS);
  return words.length > 0 ? words.map((w) => `${w}:*`).join(" | ") : null;
}

/**
 * Full-text search over MY messages, on PostgreSQL and PGlite alike (the built-in 'simple'
 * configuration: no stemming, no stop words, language-neutral). The owner scope is in the WHERE
 * clause of both the message and its conversation, so whatever query a model writes, another
 * user's text is never read. No index: a user's own messages are scanned, which is fine at the
 * sizes one person writes; a stored tsvector with a GIN index is the next step if it is not.
 */
export function searchRepository(p: Principal) {
  const scope = ownerScope(p);
  return {
    async messages(query: string, opts: MessageSearchOptions = {}): Promise<MessageSearchHit[]> {
      const tsquery = toPrefixQuery(query);
      if (!tsquery) return [];
      const limit = Math.min(Math.max(1, Math.floor(opts.limit ?? 5)), MAX_LIMIT);
      const exclude = opts.excludeConversationId ?? "";
      const prisma = await getPrisma();
      const rows = await prisma.$queryRaw<Array<Omit<MessageSearchHit, "rank"> & { rank: number | string }>>`
        WITH doc AS (
          SELECT m."id" AS "messageId", m."conversationId", c."title" AS "conversationTitle", m."role"::text AS "role", m."createdAt",
                 (SELECT string_agg(part->>'text', ' ')
                    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(m."parts") = 'array' THEN m."parts" ELSE '[]'::jsonb END) AS part
                   WHERE part->>'type' = 'text') AS "body"
          FROM "Message" m
          JOIN "Conversation" c ON c."id" = m."conversationId"
          WHERE m."orgId" = ${scope.orgId} AND m."userId" = ${scope.userId}
            AND c."orgId" = ${scope.orgId} AND c."userId" = ${scope.userId}
            AND m."conversationId" <> ${exclude}
            AND m."status" <> 'streaming'
        ), q AS (SELECT to_tsquery('simple', ${tsquery}) AS q)
        SELECT d."messageId", d."conversationId", d."conversationTitle", d."role", d."createdAt",
               ts_rank(to_tsvector('simple', d."body"), q.q)::float8 AS "rank",
               ts_headline('simple', d."body", q.q, 'StartSel=**, StopSel=**, MaxWords=30, MinWords=10, MaxFragments=2') AS "snippet"
        FROM doc d, q
        WHERE d."body" IS NOT NULL AND to_tsvector('simple', d."body") @@ q.q
        ORDER BY "rank" DESC, d."createdAt" DESC
        LIMIT ${limit}`;
      return rows.map((r) => ({ ...r, role: r.role as MessageSearchHit["role"], createdAt: new Date(r.createdAt), rank: Number(r.rank) }));
    },
  };
}
