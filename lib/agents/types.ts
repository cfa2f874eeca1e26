import { z } from "zod";
import type { ModelTier } from "@/lib/models/deployments";

/**
 * The vocabulary the agent team shares with the chat turn, the admin console and the trace UI.
 * Type- and schema-only: the client bundle imports it for the trace.
 */
export const SPECIALIST_IDS = ["research", "calculation", "writing"] as const;
export type SpecialistId = (typeof SPECIALIST_IDS)[number];
export const AGENT_IDS = ["orchestrator", ...SPECIALIST_IDS, "aggregator"] as const;
export type AgentId = (typeof AGENT_IDS)[number];

/**
 * One agent's effective configuration for a turn: the latest saved version, or the code's
 * built-in default (version 0) when no admin has saved one.
 */
export interface AgentConfig {
  id: AgentId;
  /** 0 = the built-in default, never saved. */
  version: number;
  instructions: string;
  tier: ModelTier;
  timeoutMs: number;
  enabled: boolean;
  /** Role ids that may use it; empty means everyone who may chat. */
  allowedRoles: string[];
}
export type AgentSet = Record<AgentId, AgentConfig>;

/** Which version of each agent a turn used, recorded on the assistant message. */
export type AgentVersions = Partial<Record<AgentId, number>>;

const tier = z.enum(["small", "large"]);

/**
 * The trace of a turn, streamed as `data-trace` UI chunks (`{ type: "data-trace", id, data }`)
 * and stored with the assistant message. Writing the same id again replaces that item, so a
 * branch goes running → done in place. Ids: "plan", "branch:<agent>", "aggregate", "memory".
 */
export const TraceData = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("plan"),
    status: z.enum(["running", "done"]),
    /** "model": the orchestrator's structured output; "rules": the deterministic fallback. */
    source: z.enum(["model", "rules"]).optional(),
    /** Why the rules plan was used (the model's plan was invalid, the call failed…). */
    fallbackReason: z.string().optional(),
    specialists: z.array(z.object({ agent: z.enum(SPECIALIST_IDS), task: z.string() })).default([]),
    tier,
    model: z.string().optional(),
    latencyMs: z.number().optional(),
  }),
  z.object({
    kind: z.literal("branch"),
    agent: z.enum(SPECIALIST_IDS),
    task: z.string(),
    status: z.enum(["running", "done", "failed", "timeout"]),
    tier,
    model: z.string().optional(),
    startedAt: z.number(),
    latencyMs: z.number().optional(),
    /** The branch's result (truncated for the trace), once done. */
    output: z.string().optional(),
    error: z.string().optional(),
  }),
  z.object({
    kind: z.literal("aggregate"),
    status: z.enum(["running", "done", "failed"]),
    tier,
    model: z.string().optional(),
    latencyMs: z.number().optional(),
  }),
  z.object({
    kind: z.literal("memory"),
    /** The recalled memories given to the orchestrator (lib/memory). */
    items: z.array(z.object({ id: z.string(), text: z.string() })),
  }),
]);
export type TraceData = z.infer<typeof TraceData>;

export interface TraceChunk {
  type: "data-trace";
  id: string;
  data: TraceData;
}
