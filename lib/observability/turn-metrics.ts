import { onTurnEvent, type TurnEvent } from "@/lib/observability/turn-events";
import { env } from "@/lib/config/env";
import {
  chatStepDuration,
  chatTtft,
  chatTurns,
  labelValue,
  modelCalls,
  gatewayEvents,
  activeStreams,
  setScrapeSource,
  tokensTotal,
} from "./metrics";

/**
 * Chat-turn steps → metrics. The same events feed the log and the audit trail
 * (lib/chat/turn-events.ts); nothing in the turn pipeline calls a metric itself.
 */
const GATEWAY_STEPS = new Set<TurnEvent["step"]>(["model_retry", "model_fallback", "breaker_transition", "queue_wait", "cache_hit"]);

const TERMINAL: Partial<Record<TurnEvent["step"], "completed" | "interrupted" | "failed">> = {
  response_completed: "completed",
  response_interrupted: "interrupted",
  response_failed: "failed",
};

// A turn that never reports an end (it failed between request_received and the model call,
// e.g. an unknown conversation) must not count as in progress forever. A live turn ends within
// MODEL_TIMEOUT_MS (the model is stopped then), plus the time to store the reply.
function staleAfterMs(): number {
  try {
    return Math.max(30 * 60_000, env().MODEL_TIMEOUT_MS + 5 * 60_000);
  } catch {
    return 30 * 60_000;
  }
}

const holder = globalThis as typeof globalThis & {
  __enclaveTurnMetrics?: { installed: boolean; active: Map<string, number> };
};
const state = (holder.__enclaveTurnMetrics ??= { installed: false, active: new Map<string, number>() });

function pruneStale(now: number): void {
  if (state.active.size === 0) return;
  const staleAfter = staleAfterMs();
  // Insertion order is start order: stop at the first turn that is still fresh.
  for (const [key, startedAt] of state.active) {
    if (now - startedAt < staleAfter) break;
    state.active.delete(key);
  }
}

/** Turns in progress, as the enclave_active_streams gauge reports them. */
export function activeTurnCount(now = Date.now()): number {
  pruneStale(now);
  return state.active.size;
}

function seconds(ms: unknown): number | undefined {
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

function count(n: unknown): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0;
}

export function turnMetricsSink(e: TurnEvent): void {
  const data = e.data ?? {};
  const key = `${e.requestId}\u0000${e.conversationId}`;
  const latency = seconds(e.latencyMs);
  if (latency !== undefined) chatStepDuration.observe({ step: e.step, outcome: e.outcome }, latency);

  if (e.step === "request_received") {
    pruneStale(Date.now());
    state.active.delete(key);
    state.active.set(key, e.at);
  } else if (e.step === "first_token") {
    if (latency !== undefined)
      chatTtft.observe({ provider: labelValue(data.provider), model: labelValue(data.model) }, latency);
  } else if (e.step === "model_call") {
    modelCalls.inc({
      deployment: labelValue(data.deployment),
      provider: labelValue(data.provider),
      model: labelValue(data.model),
      outcome: e.outcome,
    });
    const input = count(data.inputTokens);
    const output = count(data.outputTokens);
    if (input > 0) tokensTotal.inc({ org: e.orgId, direction: "input" }, input);
    if (output > 0) tokensTotal.inc({ org: e.orgId, direction: "output" }, output);
  } else if (GATEWAY_STEPS.has(e.step)) {
    gatewayEvents.inc({ event: e.step === "breaker_transition" ? `breaker_${labelValue(data.state)}` : e.step, deployment: labelValue(data.deployment) });
  } else {
    const outcome = TERMINAL[e.step];
    if (outcome) {
      chatTurns.inc({ outcome });
      state.active.delete(key);
    }
  }
  activeStreams.set(state.active.size);
}

/** Subscribes the metrics to chat-turn steps (once per process, whichever module graph asks). */
export function installTurnMetrics(): void {
  setScrapeSource({ activeStreams: () => activeTurnCount() });
  if (state.installed) return;
  state.installed = true;
  onTurnEvent(turnMetricsSink);
}

/** Tests: forget the turns in progress. */
export function resetTurnMetricsForTests(): void {
  state.active.clear();
  activeStreams.set(0);
}
