import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";

/**
 * Every step of a chat turn reports here exactly once. Sinks subscribe: the structured log, the
 * audit trail (lib/audit/turn-sink) and the metrics (lib/observability). Adding a step is
 * declaring it here (and its audit action) and emitting it. Chat, the agents and the gateway
 * emit; audit, metrics and usage listen.
 */
export type TurnStep =
  | "request_received"
  | "first_token"
  | "model_call"
  | "model_retry"
  | "model_fallback"
  | "breaker_transition"
  | "queue_wait"
  | "cache_hit"
  | "tool_call"
  | "plan"
  | "specialist_started"
  | "specialist_finished"
  | "aggregate"
  | "admission_refused"
  | "budget_cutoff"
  | "response_completed"
  | "response_interrupted"
  | "response_failed";

export interface TurnEvent {
  step: TurnStep;
  requestId: string;
  orgId: string;
  userId: string;
  sessionId: string;
  /** Null for a turn refused before its conversation was known to be the caller's. */
  conversationId: string | null;
  /** Epoch ms when the step began (or happened). */
  at: number;
  /** How long the step took, where it has a duration. */
  latencyMs?: number;
  outcome: "success" | "failure";
  /** Raw text in and out. Sinks decide what of it to keep (the log keeps none). */
  input?: string;
  output?: string;
  data?: Record<string, unknown>;
}

export type TurnEventSink = (event: TurnEvent) => void;

const holder = globalThis as typeof globalThis & { __enclaveTurnSinks?: TurnEventSink[] };
// The log keeps no content, and only failures above debug level: the audit trail and the
// metrics are where every step is counted.
const sinks: TurnEventSink[] = (holder.__enclaveTurnSinks ??= [
  ({ input: _input, output: _output, ...rest }) => {
    if (rest.outcome === "failure") logger.warn({ component: "chat", ...rest }, `turn ${rest.step} failed`);
    else logger.debug({ component: "chat", ...rest }, `turn ${rest.step}`);
  },
]);

export function onTurnEvent(sink: TurnEventSink): () => void {
  if (!sinks.includes(sink)) sinks.push(sink);
  return () => {
    const i = sinks.indexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
  };
}

export type Emit = (step: TurnStep, fields?: Partial<Omit<TurnEvent, "step" | "requestId" | "orgId" | "userId" | "sessionId" | "conversationId">>) => void;

export function turnEmitter(p: Principal, requestId: string, conversationId: string | null): Emit {
  return (step, fields = {}) =>
    emitTurnEvent({
      step,
      requestId,
      orgId: p.orgId,
      userId: p.userId,
      sessionId: p.sessionId,
      conversationId,
      at: fields.at ?? Date.now(),
      outcome: fields.outcome ?? "success",
      ...fields,
    });
}

/** One step to every sink; also used for steps no live principal emits (closing a dead turn). */
export function emitTurnEvent(event: TurnEvent): void {
  for (const sink of sinks) {
    try {
      sink(event);
    } catch (err) {
      // A broken observer must never break the user's turn.
      logger.error({ err, step: event.step }, "turn event sink failed");
    }
  }
}
