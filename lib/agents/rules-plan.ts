import { keywordPlan } from "@/lib/models/keyword-plan";
import type { Plan } from "./plan";
import type { SpecialistId } from "./types";

/**
 * The deterministic plan, from keywords ("calculate", "%", arithmetic → calculation;
 * "summarize", "rewrite", "draft" → writing; "find where I…", "my earlier conversations" →
 * research; else none), used when the orchestrator's plan is invalid or its call failed. The
 * keyword table is shared with the offline model (lib/models/keyword-plan.ts), so an
 * installation without a provider plans exactly like this.
 */
export function rulesPlan(userText: string, allowed: readonly SpecialistId[], fallbackReason: string): Plan {
  return {
    source: "rules",
    fallbackReason,
    specialists: keywordPlan(userText, allowed).map((p) => ({ agent: p.agent, task: p.task, input: p.input })),
  };
}
