import { RESEARCH_INSTRUCTIONS } from "../defaults";
import { searchConversationsTool } from "../tools/search";
import type { Specialist } from "./types";

/** Finds things in the user's own earlier conversations (user-scoped word search over the blind index of the encrypted messages). */
export const research: Specialist = {
  id: "research",
  description: "Searches the user's own earlier conversations and quotes what it finds.",
  defaultTier: "small",
  defaultTimeoutMs: 30_000,
  instructions: RESEARCH_INSTRUCTIONS,
  permission: "conversation.read.own",
  maxSteps: 4,
  toolsFor: (_principal, ctx) => ({ search: searchConversationsTool(ctx.scoped, { excludeConversationId: ctx.conversationId }) }),
  // The quoted `query: "…"` is what the search tool gets (the offline model reads it literally).
  prompt: (task, input) => (input ? `${task}\n\nUse the search tool with query: "${input.replace(/"/g, "'")}"` : task),
};
