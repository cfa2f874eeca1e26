import { isStepCount, streamText, type ModelMessage, type TextStreamPart, type ToolSet } from "ai";
import { mayUseAgent } from "@/lib/authz/agents";
import { AppError } from "@/lib/errors/app-error";
import { env } from "@/lib/config/env";
import type { CallGuard } from "@/lib/models/gateway";
import { GatewayError } from "@/lib/models/failures";
import { logger } from "@/lib/observability/logger";
import type { Emit } from "@/lib/observability/turn-events";
import type { Principal } from "@/lib/principal";
import { aggregatorInstructions } from "./aggregate";
import { errorText, runBranch, type BranchResult } from "./branch";
import { Channel } from "./channel";
import { absorbUsage, agentModel, branchSignal, DEADLINE_GRACE_MS, type CallScope, type CallStats } from "./model-call";
import { orchestratorPlan, type Plan } from "./plan";
import { rulesPlan } from "./rules-plan";
import { SPECIALISTS } from "./specialists";
import { memoryTools } from "@/lib/memory/tools";
import { reportingTools, toolsForTurn, type ToolCallReport } from "./tools";
import { SPECIALIST_IDS, type AgentSet, type AgentVersions, type SpecialistId, type TraceChunk, type TraceData } from "./types";

export interface TeamRunInput {
  principal: Principal;
  requestId: string;
  conversationId: string;
  /** The history the model sees, ending with the user's message. */
  messages: ModelMessage[];
  /** The user's message as text. */
  userText: string;
  /** The user's recalled memories (may be empty). */
  recalled: Array<{ id: string; text: string }>;
  /** Effective configs (instructions, tier, timeout, enabled, allowedRoles). */
  agents: AgentSet;
  /** Stop / disconnect / turn timeout: aborts every branch and upstream call. */
  signal: AbortSignal;
  /** Epoch ms. */
  deadline: number;
  emit: Emit;
  guard?: CallGuard;
}

export type TeamPart = TextStreamPart<ToolSet> | TraceChunk;

export interface TeamRun {
  /**
   * A synthetic {type:"start"} first, then data-trace chunks as the plan and each branch progress
   * (same id rewritten: "plan", "memory", "branch:<agent>", "aggregate"), then the aggregator's
   * own stream parts (without its own "start"), ending with its "finish" (or "error"/"abort").
   * A refusal of the plan call by the gateway or the turn's guard (no slot, every deployment
   * cooling down, rate limited, a budget) is an {type:"error"} part BEFORE any data-trace part.
   */
  stream: ReadableStream<TeamPart>;
  /** Tools the aggregator may call (for toUIMessageChunk); may be {}. */
  tools: ToolSet;
  /**
   * The agent versions used: orchestrator and aggregator at once, each specialist as it is
   * planned. Read it once the stream has ended (it is filled in place).
   */
  versions: AgentVersions;
  /** Settles when the run is over (never rejects). */
  result: Promise<TeamResult>;
  /** The aggregator's answering deployment as soon as the gateway knows it (the finish part needs it). */
  answered(): TeamResult["answered"];
}

export interface TeamResult {
  /** The aggregator's answering deployment. */
  answered?: { deploymentId: string; label: string; fallback: boolean };
  /** Summed over every model call of the run: plan, branches, aggregator. */
  usage: { inputTokens: number; outputTokens: number };
  plan?: Plan;
  branches: Array<Pick<BranchResult, "agent" | "status" | "error" | "latencyMs">>;
}

const AGGREGATOR_MAX_STEPS = 5;

/**
 * The agent team for one turn: the orchestrator plans (structured output, small tier; the rules
 * plan when that is invalid), the planned specialists run in parallel, each with its own signal
 * and timeout, and the aggregator (large tier) streams the answer from their results. A failing
 * branch degrades the answer, never the turn. Every step is a turn event; every model call goes
 * through the gateway with the turn's guard.
 */
export function runTeam(input: TeamRunInput): TeamRun {
  const { agents, principal } = input;
  const versions: AgentVersions = { orchestrator: agents.orchestrator.version, aggregator: agents.aggregator.version };
  const allowed = usableSpecialists(principal, agents);
  const scope: CallScope = { principal, emit: input.emit, ...(input.guard ? { guard: input.guard } : {}) };
  const tools = aggregatorTools(allowed, input);
  const master = new AbortController();
  const onAbort = () => master.abort(input.signal.reason);
  if (input.signal.aborted) master.abort(input.signal.reason);
  else input.signal.addEventListener("abort", onAbort, { once: true });

  const ch = new Channel<TeamPart>();
  const stats: CallStats[] = [];
  const trace = (id: string, data: TraceData) => ch.push({ type: "data-trace", id, data });
  let answered: TeamResult["answered"];
  let aggregatorStats: CallStats | undefined;
  let plan: Plan | undefined;
  let branches: BranchResult[] = [];

  const run = async (): Promise<void> => {
    ch.push({ type: "start" });
    plan = await makePlan();
    if (!plan) return;
    if (input.recalled.length > 0) trace("memory", { kind: "memory", items: input.recalled });
    if (master.signal.aborted) return void ch.push({ type: "abort" });

    for (const p of plan.specialists) versions[p.agent] = agents[p.agent].version;
    branches = await Promise.all(
      plan.specialists.map((planned) =>
        runBranch({
          planned,
          config: agents[planned.agent],
          scope,
          conversationId: input.conversationId,
          signal: master.signal,
          deadline: input.deadline,
          onTrace: (t) => trace(`branch:${t.agent}`, t),
        }),
      ),
    );
    for (const b of branches) stats.push(b.stats);
    if (master.signal.aborted) return void ch.push({ type: "abort" });
    await aggregate(plan, branches);
  };

  /** The plan, or undefined when the run already ended (a refusal or a stop). */
  const makePlan = async (): Promise<Plan | undefined> => {
    const config = agents.orchestrator;
    const at = Date.now();
    const t0 = performance.now();
    let modelName: string | undefined;
    let s: CallStats | undefined;
    let p: Plan;
    if (allowed.length === 0) {
      p = { source: "rules", fallbackReason: "no specialist is available to this user", specialists: [] };
    } else if (!mayUseAgent(principal, config)) {
      p = rulesPlan(input.userText, allowed, "the orchestrator is disabled");
    } else {
      const own = branchSignal(master.signal, config.timeoutMs);
      try {
        const m = await agentModel("orchestrator", config.tier, scope, Math.min(input.deadline, at + config.timeoutMs + DEADLINE_GRACE_MS));
        s = m.stats;
        stats.push(m.stats);
        p = await orchestratorPlan(
          { onUsage: (u) => absorbUsage(m.stats, u), config, model: m.model, messages: input.messages, userText: input.userText, recalled: input.recalled, allowed, signal: own.signal, timedOut: own.timedOut },
          isRefusal,
        );
        modelName = m.modelName();
      } catch (error) {
        const stopped = master.signal.aborted;
        input.emit("plan", {
          at,
          latencyMs: Math.round(performance.now() - t0),
          outcome: "failure",
          data: { tier: config.tier, version: config.version, error: stopped ? "stopped" : errorText(error), ...tokens(s) },
        });
        ch.push(stopped ? { type: "abort" } : { type: "error", error });
        return undefined;
      } finally {
        own.dispose();
      }
    }
    const latencyMs = Math.round(performance.now() - t0);
    input.emit("plan", {
      at,
      latencyMs,
      outcome: p.source === "model" || !s ? "success" : "failure",
      output: JSON.stringify(p.specialists),
      data: {
        tier: config.tier,
        model: modelName,
        deployment: s?.answered?.deploymentId,
        version: config.version,
        source: p.source,
        ...(p.fallbackReason ? { fallbackReason: p.fallbackReason } : {}),
        specialists: p.specialists.map((x) => x.agent),
        ...tokens(s),
      },
    });
    trace("plan", {
      kind: "plan",
      status: "done",
      source: p.source,
      ...(p.fallbackReason ? { fallbackReason: p.fallbackReason } : {}),
      specialists: p.specialists.map((x) => ({ agent: x.agent, task: x.task })),
      tier: config.tier,
      ...(modelName ? { model: modelName } : {}),
      latencyMs,
    });
    return p;
  };

  const aggregate = async (p: Plan, results: BranchResult[]): Promise<void> => {
    const config = agents.aggregator;
    const at = Date.now();
    const t0 = performance.now();
    trace("aggregate", { kind: "aggregate", status: "running", tier: config.tier });
    const own = branchSignal(master.signal, config.timeoutMs);
    let modelName: string | undefined;
    let s: CallStats | undefined;
    let outcome: "success" | "failure" = "failure";
    let error: string | undefined;
    let finishPart: TeamPart | undefined;
    const terminal: TeamPart[] = [];
    try {
      const m = await agentModel("aggregator", config.tier, scope, Math.min(input.deadline, at + config.timeoutMs + DEADLINE_GRACE_MS));
      s = m.stats;
      aggregatorStats = s;
      stats.push(m.stats);
      const hasTools = Object.keys(tools).length > 0;
      const result = streamText({
        model: m.model,
        instructions: aggregatorInstructions(config, p.specialists, results),
        messages: input.messages,
        ...(hasTools ? { tools, stopWhen: isStepCount(AGGREGATOR_MAX_STEPS) } : {}),
        abortSignal: own.signal,
        maxRetries: 0, // the gateway retries
        onError: ({ error: e }) => logger.warn({ component: "agents", requestId: input.requestId, err: errorText(e) }, "aggregator stream error"),
      });
      for await (const part of result.stream) {
        if (part.type === "start") continue;
        if (part.type === "finish") {
          // Held until the trace says the aggregate is done: nothing follows a finish part.
          outcome = "success";
          finishPart = part;
          continue;
        }
        modelName = m.modelName();
        if (part.type === "error" || part.type === "abort") {
          // Held like the finish: the stream ends with them, after the aggregate's own trace.
          if (part.type === "error") error ??= errorText(part.error);
          else error ??= own.timedOut() ? `timed out after ${config.timeoutMs} ms` : "stopped";
          terminal.push(part);
          continue;
        }
        ch.push(part);
        await ch.room();
        if (ch.isClosed) break;
      }
      if (error) outcome = "failure";
    } catch (e) {
      error = errorText(e);
      terminal.push(master.signal.aborted ? { type: "abort" } : { type: "error", error: e });
    } finally {
      own.dispose();
      answered = s?.answered ? { deploymentId: s.answered.deploymentId, label: s.answered.label, fallback: s.answered.fallback } : undefined;
      const latencyMs = Math.round(performance.now() - t0);
      input.emit("aggregate", {
        at,
        latencyMs,
        outcome,
        data: {
          tier: config.tier,
          model: modelName ?? s?.answered?.model,
          deployment: s?.answered?.deploymentId,
          version: config.version,
          contributors: results.map((r) => ({ agent: r.agent, status: r.status })),
          ...tokens(s),
          ...(error ? { error } : {}),
        },
      });
      trace("aggregate", { kind: "aggregate", status: outcome === "success" ? "done" : "failed", tier: config.tier, ...(modelName ? { model: modelName } : {}), latencyMs });
      for (const part of terminal) ch.push(part);
      if (finishPart) ch.push(finishPart);
    }
  };

  const result = run()
    .catch((error: unknown) => {
      // A bug here must still end the reply cleanly, with a reason.
      logger.error({ component: "agents", requestId: input.requestId, err: errorText(error) }, "agent team failed");
      ch.push({ type: "error", error });
    })
    .then((): TeamResult => {
      input.signal.removeEventListener("abort", onAbort);
      ch.close();
      const usage = stats.reduce((u, x) => ({ inputTokens: u.inputTokens + x.inputTokens, outputTokens: u.outputTokens + x.outputTokens }), { inputTokens: 0, outputTokens: 0 });
      return {
        ...(answered ? { answered } : {}),
        usage,
        ...(plan ? { plan } : {}),
        branches: branches.map(({ agent, status, error, latencyMs }) => ({ agent, status, ...(error ? { error } : {}), latencyMs })),
      };
    });

  const stream = ch.toStream((reason) => master.abort(reason ?? new DOMException("The reader went away", "AbortError")));
  const live = (): TeamResult["answered"] => {
    const a = aggregatorStats?.answered;
    return a ? { deploymentId: a.deploymentId, label: a.label, fallback: a.fallback } : answered;
  };
  return { stream, tools, versions, result, answered: live };
}

/** The specialists this principal may use: enabled, allowed for their role, with the permission. */
export function usableSpecialists(principal: Principal, agents: AgentSet): SpecialistId[] {
  return SPECIALIST_IDS.filter((id) => mayUseAgent(principal, agents[id], SPECIALISTS[id].permission));
}

/**
 * The aggregator's own tools: the chat's built-in ones (CHAT_TOOLS), except the calculator when
 * the calculation specialist is there to do arithmetic (one place computes, and is traced).
 */
function aggregatorTools(allowed: readonly SpecialistId[], input: Pick<TeamRunInput, "emit" | "principal" | "conversationId" | "requestId">): ToolSet {
  const { emit } = input;
  const names = env().CHAT_TOOLS.filter((n) => !(n === "calculator" && allowed.includes("calculation")));
  // The memory tool closes over this turn's principal: whatever the model asks, it saves for them.
  const own = memoryTools(input.principal, { conversationId: input.conversationId, requestId: input.requestId });
  const report = (t: ToolCallReport) =>
    emit("tool_call", {
      at: t.startedAt,
      latencyMs: t.latencyMs,
      outcome: t.outcome,
      input: JSON.stringify(t.input),
      output: JSON.stringify(t.output),
      data: { tool: t.tool, toolCallId: t.toolCallId, agent: "aggregator" },
    });
  return { ...toolsForTurn(names, report), ...reportingTools(own, report) };
}

/**
 * A refusal the turn answers with a status code instead of a plan: the gateway had nothing to
 * offer (no slot in time, every deployment cooling down, a rate limit longer than the turn may
 * wait), or the turn's guard stopped the call (a token limit, a budget).
 */
export function isRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return true;
    if (e instanceof GatewayError) return e.failure.kind === "unavailable" || e.failure.kind === "rate_limited" || e.failure.kind === "quota";
  }
  return false;
}

function tokens(s: CallStats | undefined): { inputTokens?: number; outputTokens?: number } {
  return s ? { inputTokens: s.inputTokens, outputTokens: s.outputTokens } : {};
}
