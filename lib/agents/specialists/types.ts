import type { ToolSet } from "ai";
import { z } from "zod";
import type { Permission } from "@/lib/authz/catalog";
import type { ScopedDb } from "@/lib/db";
import type { ModelTier } from "@/lib/models/deployments";
import type { Principal } from "@/lib/principal";
import type { SpecialistId } from "../types";

/** What a specialist's tools may reach: the requesting user's scoped data, nothing else. */
export interface SpecialistToolContext {
  scoped: Pick<ScopedDb, "search">;
  /** The turn's conversation (research leaves it out: the question would find itself). */
  conversationId: string;
}

export interface Specialist {
  id: SpecialistId;
  /** What the orchestrator reads to decide whether to plan it. */
  description: string;
  defaultTier: ModelTier;
  defaultTimeoutMs: number;
  /** The built-in instructions (version 0; admins may save newer ones). */
  instructions: string;
  /** Needed to use it at all (checked by lib/authz/agents.ts with the role restriction). */
  permission: Permission;
  /** Model steps at most (a tool call and its answer are two). */
  maxSteps: number;
  /** The tools, built per request for this principal only. */
  toolsFor(principal: Principal, ctx: SpecialistToolContext): ToolSet;
  /** The user message it works from: its sub-task and the plan's input for it. */
  prompt(task: string, input: string | undefined): string;
}

/** A specialist's result as the aggregator receives it; anything else is a failed branch. */
export const SpecialistOutput = z.object({
  text: z.string().trim().min(1, "the specialist returned no text").max(20_000, "the specialist's result is over 20,000 characters"),
});
export type SpecialistOutput = z.infer<typeof SpecialistOutput>;
