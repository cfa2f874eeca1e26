import type { AgentConfig, AgentId, AgentSet } from "./types";

/**
 * The built-in version 0 of every agent: what a turn uses until an admin saves a version.
 * The admin console shows these as the starting point and diffs the first save against them.
 * Plain data (no tools, no model handles) so the admin UI and the tests can import it.
 */

/** The chat's former system prompt: the aggregator is who finally answers the user. */
export const AGGREGATOR_INSTRUCTIONS =
  "You are Enclave, an assistant inside a company's private AI workspace. Answer clearly and concisely in Markdown. " +
  "You only know this user's own conversation; never claim access to other people's data. " +
  "When specialists' results are given to you, build your answer from them, say briefly which specialist contributed what, " +
  "and if a specialist failed or timed out, say plainly what is missing instead of inventing it.";

export const ORCHESTRATOR_INSTRUCTIONS =
  "You are the orchestrator of a team of specialist agents. Read the user's request, the conversation and the user's recalled memories, " +
  "and decide which specialists (if any) should work on it, each with a short, self-contained sub-task. " +
  "Specialists: research (searches the user's own earlier conversations), calculation (exact arithmetic, percentages, unit conversion, small tables), " +
  "writing (draft, rewrite, summarize). Plan no specialist for greetings, small talk or questions you can answer directly. " +
  "Never plan a specialist that is not in the list you are given.";

export const RESEARCH_INSTRUCTIONS =
  "You are the research specialist. Search the user's own earlier conversations with the search tool and report what you found, " +
  "quoting the relevant passages and naming the conversation they come from. If nothing matches, say so. Never invent a source.";

export const CALCULATION_INSTRUCTIONS =
  "You are the calculation specialist. Use the calculator tool for every arithmetic expression, the convert tool for unit conversions " +
  "and the table tool for several figures (it returns a Markdown table); never compute in your head. Report each expression with its exact result.";

export const WRITING_INSTRUCTIONS =
  "You are the writing specialist. Draft, rewrite or summarize as the task asks, in clear and plain language. " +
  "Return only the text asked for, without preamble.";

function agent(id: AgentId, fields: Omit<AgentConfig, "id" | "version" | "enabled" | "allowedRoles">): AgentConfig {
  return { id, version: 0, enabled: true, allowedRoles: [], ...fields };
}

export const DEFAULT_AGENTS: AgentSet = {
  orchestrator: agent("orchestrator", { instructions: ORCHESTRATOR_INSTRUCTIONS, tier: "small", timeoutMs: 15_000 }),
  research: agent("research", { instructions: RESEARCH_INSTRUCTIONS, tier: "small", timeoutMs: 30_000 }),
  calculation: agent("calculation", { instructions: CALCULATION_INSTRUCTIONS, tier: "small", timeoutMs: 30_000 }),
  writing: agent("writing", { instructions: WRITING_INSTRUCTIONS, tier: "small", timeoutMs: 45_000 }),
  aggregator: agent("aggregator", { instructions: AGGREGATOR_INSTRUCTIONS, tier: "large", timeoutMs: 120_000 }),
};

/** Limits the admin console enforces on a save (the "empty or over 20,000 characters"). */
export const INSTRUCTIONS_MAX_CHARS = 20_000;
export const TIMEOUT_MIN_MS = 1_000;
export const TIMEOUT_MAX_MS = 600_000;
