import { generateText, isStepCount } from "ai";
import { db } from "@/lib/db";
import { absorbUsage, agentModel, branchSignal, DEADLINE_GRACE_MS, formatMs, type CallScope, type CallStats } from "./model-call";
import type { PlannedTask } from "./plan";
import { SPECIALISTS, SpecialistOutput } from "./specialists";
import { reportingTools } from "./tools";
import type { AgentConfig, TraceData } from "./types";

export type BranchTrace = Extract<TraceData, { kind: "branch" }>;

export interface BranchResult {
  agent: PlannedTask["agent"];
  status: "done" | "failed" | "timeout";
  /** The validated output when done. */
  text?: string;
  error?: string;
  latencyMs: number;
  stats: CallStats;
}

export interface BranchInput {
  planned: PlannedTask;
  config: AgentConfig;
  scope: CallScope;
  conversationId: string;
  signal: AbortSignal;
  deadline: number;
  /** Each state of the branch's trace item (running, then done / failed / timeout). */
  onTrace(trace: BranchTrace): void;
}

const TRACE_OUTPUT_MAX = 2_000;

/**
 * One specialist on its sub-task: its own AbortSignal (the turn's, plus its own timeout), its own
 * tools built for this principal, every model call through the gateway. It never throws: a
 * failure, a timeout or an output failing its schema is a result the aggregator explains.
 */
export async function runBranch(input: BranchInput): Promise<BranchResult> {
  const { planned, config, scope } = input;
  const spec = SPECIALISTS[planned.agent];
  const startedAt = Date.now();
  const t0 = performance.now();
  const own = branchSignal(input.signal, config.timeoutMs);
  const base = { kind: "branch" as const, agent: planned.agent, task: planned.task, tier: config.tier, startedAt };
  let stats: CallStats = { inputTokens: 0, outputTokens: 0, attempts: 0 };
  let modelName: string | undefined;
  input.onTrace({ ...base, status: "running" });
  scope.emit("specialist_started", { at: startedAt, input: planned.task, data: { agent: planned.agent, tier: config.tier, version: config.version } });

  let result: BranchResult;
  try {
    const m = await agentModel(planned.agent, config.tier, scope, Math.min(input.deadline, startedAt + config.timeoutMs + DEADLINE_GRACE_MS));
    stats = m.stats;
    const tools = reportingTools(spec.toolsFor(scope.principal, { scoped: db.for(scope.principal), conversationId: input.conversationId }), (t) =>
      scope.emit("tool_call", {
        at: t.startedAt,
        latencyMs: t.latencyMs,
        outcome: t.outcome,
        input: JSON.stringify(t.input),
        output: JSON.stringify(t.output),
        data: { tool: t.tool, toolCallId: t.toolCallId, agent: planned.agent },
      }),
    );
    const hasTools = Object.keys(tools).length > 0;
    const r = await generateText({
      model: m.model,
      instructions: config.instructions,
      prompt: spec.prompt(planned.task, planned.input),
      ...(hasTools ? { tools, stopWhen: isStepCount(spec.maxSteps) } : {}),
      abortSignal: own.signal,
      maxRetries: 0,
    });
    // A stop or timeout during a wait before the call (admission, a queue) can let the call finish
    // anyway: its result is not this branch's any more.
    if (own.signal.aborted) throw own.signal.reason;
    modelName = m.modelName();
    absorbUsage(stats, r.totalUsage);
    const out = SpecialistOutput.safeParse({ text: r.text });
    result = out.success
      ? { agent: planned.agent, status: "done", text: out.data.text, latencyMs: ms(t0), stats }
      : { agent: planned.agent, status: "failed", error: `its output failed validation: ${out.error.issues[0]?.message ?? "invalid"}`, latencyMs: ms(t0), stats };
  } catch (error) {
    const timedOut = own.timedOut();
    result = {
      agent: planned.agent,
      status: timedOut ? "timeout" : "failed",
      error: timedOut ? `timed out after ${formatMs(config.timeoutMs)}` : input.signal.aborted ? "stopped" : errorText(error),
      latencyMs: ms(t0),
      stats,
    };
  } finally {
    own.dispose();
  }
  input.onTrace({
    ...base,
    status: result.status,
    ...(modelName ? { model: modelName } : stats.answered ? { model: stats.answered.model } : {}),
    latencyMs: result.latencyMs,
    ...(result.text ? { output: truncate(result.text, TRACE_OUTPUT_MAX) } : {}),
    ...(result.error ? { error: result.error } : {}),
  });
  scope.emit("specialist_finished", {
    at: startedAt,
    latencyMs: result.latencyMs,
    outcome: result.status === "done" ? "success" : "failure",
    ...(result.text ? { output: result.text } : {}),
    data: {
      agent: planned.agent,
      tier: config.tier,
      model: modelName ?? stats.answered?.model,
      deployment: stats.answered?.deploymentId,
      status: result.status,
      inputTokens: stats.inputTokens,
      outputTokens: stats.outputTokens,
      version: config.version,
      ...(result.error ? { error: result.error } : {}),
    },
  });
  return result;
}

function ms(t0: number): number {
  return Math.round(performance.now() - t0);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A short reason for the trace and the aggregator: the message, not a stack or a request body. */
export function errorText(error: unknown): string {
  const m = error instanceof Error ? error.message : String(error);
  const first = m.split("\n")[0] ?? m;
  return first.length > 300 ? `${first.slice(0, 299)}…` : first || "failed";
}
