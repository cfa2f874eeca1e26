import { tool } from "ai";
import { z } from "zod";
import type { ScopedDb } from "@/lib/db";

export interface SearchToolOptions {
  /** The conversation of the turn asking, left out of the results. */
  excludeConversationId?: string;
}

const SNIPPET_MAX = 400;

/**
 * Search over the requesting user's own conversations. A factory over the principal's scoped
 * database: the model chooses only the words, never whose messages are read.
 */
export function searchConversationsTool(scoped: Pick<ScopedDb, "search">, opts: SearchToolOptions = {}) {
  return tool({
    description: "Full-text search over the user's own earlier conversations. Returns matching passages with the conversation they come from.",
    inputSchema: z.object({ query: z.string().trim().min(1).max(200).describe("Words to look for") }),
    execute: async ({ query }) => {
      const hits = await scoped.search.messages(query, { limit: 5, excludeConversationId: opts.excludeConversationId });
      return {
        query,
        found: hits.length,
        hits: hits.map((h) => ({
          conversation: h.conversationTitle,
          conversationId: h.conversationId,
          role: h.role,
          at: h.createdAt.toISOString(),
          text: h.snippet.length > SNIPPET_MAX ? `${h.snippet.slice(0, SNIPPET_MAX - 1)}…` : h.snippet,
        })),
      };
    },
  });
}
