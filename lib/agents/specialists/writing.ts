import { WRITING_INSTRUCTIONS } from "../defaults";
import type { Specialist } from "./types";

/** Drafts, rewrites and summaries. No tools: it works only on the text it is given. */
export const writing: Specialist = {
  id: "writing",
  description: "Drafts, rewrites or summarizes text.",
  defaultTier: "small",
  defaultTimeoutMs: 45_000,
  instructions: WRITING_INSTRUCTIONS,
  permission: "chat.send",
  maxSteps: 1,
  toolsFor: () => ({}),
  prompt: (task, input) => (input && input !== task ? `${task}\n\nText:\n${input}` : task),
};
