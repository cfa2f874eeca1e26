import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { CallGuard } from "@/lib/models/gateway";
import type { ModelTier } from "@/lib/models/deployments";
import { getLanguageModel } from "@/lib/models/registry";
import { emitGatewayEvent } from "@/lib/observability/gateway-events";
import type { Emit } from "@/lib/observability/turn-events";
import type { Principal } from "@/lib/principal";
import type { AgentId } from "./types";

export interface Answered {
  deploymentId: string;
  label: string;
  fallback: boolean;
  model: string;
}

/** What one agent's model calls used, from the gateway's own events (every attempt counts). */
export interface CallStats {
  answered?: Answered;
  inputTokens: number;
  outputTokens: number;
  attempts: number;
}

/**
 * The SDK's own count for a call, where the gateway's attempt events carried none (its
 * non-streaming path reports no tokens): whichever is larger wins, so nothing is counted twice.
 */
export function absorbUsage(stats: CallStats, usage: { inputTokens?: number; outputTokens?: number } | undefined): void {
  if (!usage) return;
  stats.inputTokens = Math.max(stats.inputTokens, usage.inputTokens ?? 0);
  stats.outputTokens = Math.max(stats.outputTokens, usage.outputTokens ?? 0);
}

/** The gateway's deadline sits this much after an agent's own timeout, so the agent's fires first and reads as a timeout. */
export const DEADLINE_GRACE_MS = 250;

export interface AgentModel {
  model: LanguageModelV4;
  /** The tier's first-choice model, until the gateway says which one answered. */
  modelId: string;
  stats: CallStats;
  /** The answering model's id, or the first choice's. */
  modelName(): string;
}

export interface CallScope {
  principal: Principal;
  emit: Emit;
  guard?: CallGuard;
}

/**
 * A language model for one agent's calls, through the gateway (retries, fallback, breakers,
 * cache), with the turn's guard, and every gateway event reported as a turn event labelled with
 * the agent, so the audit trail, metrics and usage see which agent spent what.
 */
export async function agentModel(agent: AgentId, tier: ModelTier, scope: CallScope, deadline: number): Promise<AgentModel> {
  const stats: CallStats = { inputTokens: 0, outputTokens: 0, attempts: 0 };
  const choice = await getLanguageModel(tier, {
    orgId: scope.principal.orgId,
    userId: scope.principal.userId,
    deadline,
    ...(scope.guard ? { guard: scope.guard } : {}),
    onEvent: (ev) => {
      if (ev.type === "answered") stats.answered = { deploymentId: ev.deploymentId, label: ev.label, fallback: ev.fallback, model: ev.model };
      if (ev.type === "attempt") {
        stats.attempts++;
        stats.inputTokens += ev.inputTokens ?? 0;
        stats.outputTokens += ev.outputTokens ?? 0;
      }
      emitGatewayEvent(scope.emit, ev, { agent, tier });
    },
  });
  return { model: choice.model, modelId: choice.modelId, stats, modelName: () => stats.answered?.model ?? choice.modelId };
}

/** An AbortSignal that fires with `parent`, or after `ms` with a TimeoutError of its own. */
export function branchSignal(parent: AbortSignal, ms: number): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const ac = new AbortController();
  let timedOut = false;
  const onParent = () => ac.abort(parent.reason);
  if (parent.aborted) ac.abort(parent.reason);
  else parent.addEventListener("abort", onParent, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new DOMException(`timed out after ${formatMs(ms)}`, "TimeoutError"));
  }, ms);
  return {
    signal: ac.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener("abort", onParent);
    },
  };
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
