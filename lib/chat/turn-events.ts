import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";

/**
 * Each step of a chat turn reports here once. Today the sink is the structured log; the audit
 * trail and metrics subscribe to the same events when they land, so a step is instrumented once.
 */
export type TurnStep = "received" | "persisted" | "model_call" | "completed" | "interrupted" | "failed";

export interface TurnEvent {
  step: TurnStep;
  requestId: string;
  orgId: string;
  userId: string;
  sessionId: string;
  conversationId: string;
  at: number;
  durationMs?: number;
  data?: Record<string, unknown>;
}

export type TurnEventSink = (event: TurnEvent) => void;

const sinks: TurnEventSink[] = [
  (e) => logger.info({ component: "chat", ...e }, `turn ${e.step}`),
];

export function onTurnEvent(sink: TurnEventSink): () => void {
  sinks.push(sink);
  return () => {
    const i = sinks.indexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
  };
}

export function turnTracer(p: Principal, requestId: string, conversationId: string) {
  const started = performance.now();
  return (step: TurnStep, data?: Record<string, unknown>) => {
    const event: TurnEvent = {
      step,
      requestId,
      orgId: p.orgId,
      userId: p.userId,
      sessionId: p.sessionId,
      conversationId,
      at: Date.now(),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      data,
    };
    for (const sink of sinks) {
      try {
        sink(event);
      } catch (err) {
        // A broken observer must never break the user's turn.
        logger.error({ err, step }, "turn event sink failed");
      }
    }
  };
}
