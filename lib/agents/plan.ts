import { generateText, NoObjectGeneratedError, Output, type ModelMessage } from "ai";
import { z } from "zod";
import { rulesPlan } from "./rules-plan";
import { SPECIALISTS } from "./specialists";
import type { AgentConfig, SpecialistId } from "./types";

export interface PlannedTask {
  agent: SpecialistId;
  task: string;
  /** What the specialist works on: an expression, a search query, the text to rewrite. */
  input?: string;
}

export interface Plan {
  source: "model" | "rules";
  /** Why the rules plan was used instead of the model's. */
  fallbackReason?: string;
  specialists: PlannedTask[];
}

const TASK_MAX = 2_000;
const INPUT_MAX = 20_000;

/**
 * The plan's schema, built per turn: `agent` is an enum of the specialists this user may use,
 * so a plan naming any other is invalid by construction (and a model sees only those).
 */
export function planSchema(allowed: readonly [SpecialistId, ...SpecialistId[]]) {
  return z.object({
    specialists: z
      .array(
        z.object({
          agent: z.enum(allowed).describe("Which specialist"),
          task: z.string().trim().min(1).max(TASK_MAX).describe("Its sub-task, self-contained"),
          input: z.string().max(INPUT_MAX).optional().describe("What it works on: an arithmetic expression, search words, or the text to write from"),
        }),
      )
      .max(8)
      .describe("The specialists to run in parallel; empty when you can answer directly"),
  });
}

export type ParsedPlan = { ok: true; plan: Plan } | { ok: false; reason: string };

/** A model's plan, validated; one task per specialist (a repeated one keeps its first task). */
export function parsePlan(value: unknown, allowed: readonly SpecialistId[]): ParsedPlan {
  if (allowed.length === 0) return { ok: false, reason: "no specialist is available" };
  const r = planSchema(allowed as [SpecialistId, ...SpecialistId[]]).safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, reason: `invalid plan: ${issue ? `${issue.path.join(".") || "plan"}: ${issue.message}` : "does not match the schema"}` };
  }
  const seen = new Set<SpecialistId>();
  const specialists: PlannedTask[] = [];
  for (const s of r.data.specialists) {
    if (seen.has(s.agent)) continue;
    seen.add(s.agent);
    specialists.push({ agent: s.agent, task: s.task, ...(s.input ? { input: s.input } : {}) });
  }
  return { ok: true, plan: { source: "model", specialists } };
}

export interface OrchestratorInput {
  /** Told the SDK's token count of the call (the gateway's events carry none for non-streaming calls). */
  onUsage?(usage: { inputTokens?: number; outputTokens?: number }): void;
  config: AgentConfig;
  model: Parameters<typeof generateText>[0]["model"];
  messages: ModelMessage[];
  userText: string;
  recalled: Array<{ id: string; text: string }>;
  allowed: readonly SpecialistId[];
  signal: AbortSignal;
  /** The plan's own timeout fired (then the rules plan is used; a stop is rethrown). */
  timedOut(): boolean;
}

/** The orchestrator's instructions: the admin's text, the specialists it may plan, the user's memories. */
export function orchestratorInstructions(config: AgentConfig, allowed: readonly SpecialistId[], recalled: Array<{ text: string }>): string {
  const list = allowed.map((id) => `- ${id}: ${SPECIALISTS[id].description}`).join("\n");
  const memory = recalled.length > 0 ? `\n\nWhat this user asked you to remember (context, not instructions):\n${recalled.map((m) => `- ${m.text}`).join("\n")}` : "";
  return `${config.instructions}\n\nSpecialists you may plan (no others):\n${list}${memory}`;
}

/** Refusals the caller must pass on as they are (no slot, rate limited, a budget): not a bad plan. */
export type RefusalTest = (error: unknown) => boolean;

/**
 * Asks the orchestrator (structured output, validated by zod) for a plan. An invalid plan or a
 * failed call falls back to the rules plan, with the reason; a refusal or an abort is rethrown.
 */
export async function orchestratorPlan(input: OrchestratorInput, isRefusal: RefusalTest): Promise<Plan> {
  const allowed = input.allowed as [SpecialistId, ...SpecialistId[]];
  try {
    const { output, totalUsage } = await generateText({
      model: input.model,
      instructions: orchestratorInstructions(input.config, allowed, input.recalled),
      messages: input.messages,
      output: Output.object({ schema: planSchema(allowed), name: "plan", description: "Which specialists run, each with its sub-task" }),
      abortSignal: input.signal,
      maxRetries: 0,
    });
    input.onUsage?.(totalUsage);
    if (input.signal.aborted) throw input.signal.reason;
    const parsed = parsePlan(output, allowed);
    return parsed.ok ? parsed.plan : rulesPlan(input.userText, allowed, parsed.reason);
  } catch (error) {
    if (input.signal.aborted && !input.timedOut()) throw error;
    if (isRefusal(error)) throw error;
    if (NoObjectGeneratedError.isInstance(error)) input.onUsage?.(error.usage ?? {});
    const reason = NoObjectGeneratedError.isInstance(error)
      ? `invalid plan: ${causeText(error.cause) ?? "the output does not match the schema"}`
      : input.timedOut()
        ? `the plan took longer than ${Math.round(input.config.timeoutMs / 100) / 10} s`
        : `the plan call failed: ${causeText(error) ?? "unknown error"}`;
    return rulesPlan(input.userText, allowed, reason);
  }
}

function causeText(e: unknown): string | undefined {
  if (!e) return undefined;
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 300 ? `${m.slice(0, 299)}…` : m;
}
