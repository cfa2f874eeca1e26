import { words } from "@/lib/privacy/encryption/blind-index";
import { highlight, matchedCount } from "@/lib/privacy/encryption/text-match";
import type { Principal } from "@/lib/principal";
import { getPrisma } from "../database";
import { withCipher } from "../keyring";
import { partsText, seal } from "../sealed-columns";
import { ownerScope } from "../scope";

export interface MessageSearchHit {
  conversationId: string;
  conversationTitle: string;
  messageId: string;
  role: "user" | "assistant" | "system";
  createdAt: Date;
  /** The matching passage, matched words wrapped in **. */
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
/** Rows the index finds that are opened and ranked in the app, best index matches first. */
const CANDIDATES = 200;

/** The words searched for: normalized as the blind index normalizes them, at most MAX_TERMS. */
export function searchWords(text: string): string[] {
  return [...new Set(words(text))].slice(0, MAX_TERMS);
}

/**
 * Search over MY messages. Their text is encrypted, so PostgreSQL full-text search cannot read
 * it: each message carries a blind index (keyed hashes of its words and word prefixes, see
 * lib/privacy/encryption/blind-index), the query's words are hashed with the same org key, and
 * the rows sharing any hash are opened here, ranked by how many words they hold and highlighted.
 * The owner scope is in the WHERE clause of both the message and its conversation, so whatever
 * query a model writes, another user's text is never read. Messages stored before encryption
 * (not yet re-encrypted by keys:rotate) have no index; they are opened and matched here too.
 */
export function searchRepository(p: Principal) {
  const scope = ownerScope(p);
  return {
    async messages(query: string, opts: MessageSearchOptions = {}): Promise<MessageSearchHit[]> {
      const queryWords = searchWords(query);
      if (queryWords.length === 0) return [];
      const limit = Math.min(Math.max(1, Math.floor(opts.limit ?? 5)), MAX_LIMIT);
      const exclude = opts.excludeConversationId ?? "";
      const prisma = await getPrisma();
      return withCipher(p.orgId, async (c) => {
        const hashes = queryWords.map((w) => c.queryTerm(w));
        const rows = await prisma.$queryRaw<Array<{ messageId: string; conversationId: string; title: string; role: string; createdAt: Date; parts: unknown }>>`
          SELECT m."id" AS "messageId", m."conversationId", c."title", m."role"::text AS "role", m."createdAt", m."parts"
          FROM "Message" m
          JOIN "Conversation" c ON c."id" = m."conversationId"
          WHERE m."orgId" = ${scope.orgId} AND m."userId" = ${scope.userId}
            AND c."orgId" = ${scope.orgId} AND c."userId" = ${scope.userId}
            AND m."conversationId" <> ${exclude}
            AND m."status" <> 'streaming'
            AND (m."terms" && ${hashes}::text[] OR jsonb_typeof(m."parts") = 'array')
          ORDER BY (SELECT count(*) FROM unnest(${hashes}::text[]) AS q(h) WHERE q.h = ANY(m."terms")) DESC, m."createdAt" DESC
          LIMIT ${CANDIDATES}`;
        const hits: MessageSearchHit[] = [];
        for (const r of rows) {
          const body = partsText(c.openJson(r.parts, seal.parts(scope.userId)));
          const matched = matchedCount(queryWords, body);
          if (matched === 0) continue;
          hits.push({
            messageId: r.messageId,
            conversationId: r.conversationId,
            conversationTitle: c.open(r.title, seal.title(scope.userId)),
            role: r.role as MessageSearchHit["role"],
            createdAt: new Date(r.createdAt),
            snippet: highlight(body, queryWords),
            rank: matched / queryWords.length,
          });
        }
        return hits.sort((a, b) => b.rank - a.rank || b.createdAt.getTime() - a.createdAt.getTime()).slice(0, limit);
      });
    },
  };
}
