import type { GatewayEvent } from "@/lib/models/gateway";
import type { Emit } from "./turn-events";

/**
 * The gateway's steps as chat-turn events: every attempt (model_call), retry with its wait,
 * fallback, breaker transition, queue wait and cache hit reaches the audit trail and the metrics
 * through the turn-event sinks, labelled by deployment. `extra` joins every event's data (the
 * agent team adds `agent`, so usage is attributed per agent).
 */
export function emitGatewayEvent(emit0: Emit, ev: GatewayEvent, extra?: Record<string, unknown>): void {
  const emit: Emit = extra ? (step, fields = {}) => emit0(step, { ...fields, data: { ...fields.data, ...extra } }) : emit0;
  switch (ev.type) {
    case "attempt":
      return emit("model_call", {
        at: ev.startedAt,
        latencyMs: ev.latencyMs,
        outcome: ev.outcome,
        data: {
          deployment: ev.deploymentId,
          provider: ev.provider,
          model: ev.model,
          call: ev.call,
          attempt: ev.attempt,
          inputTokens: ev.inputTokens,
          outputTokens: ev.outputTokens,
          finishReason: ev.finishReason,
          ...(ev.error ? { error: ev.error, status: ev.status } : {}),
        },
      });
    case "retry":
      return emit("model_retry", { latencyMs: ev.waitMs, data: { deployment: ev.deploymentId, waitMs: ev.waitMs, reason: ev.reason } });
    case "fallback":
      return emit("model_fallback", { data: { deployment: ev.to, from: ev.from, to: ev.to, reason: ev.reason } });
    case "breaker":
      return emit("breaker_transition", {
        outcome: ev.state === "open" ? "failure" : "success",
        data: { deployment: ev.deploymentId, state: ev.state, reason: ev.reason },
      });
    case "queue":
      return emit("queue_wait", { latencyMs: ev.waitedMs, data: { deployment: ev.deploymentId, waitedMs: ev.waitedMs, depth: ev.depth } });
    case "cache_hit":
      return emit("cache_hit", { data: { deployment: ev.deploymentId, model: ev.model } });
    case "answered":
      return;
  }
}
