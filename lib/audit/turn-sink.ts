import { auditContentPolicy } from "@/lib/db/audit";
import { onTurnEvent, type TurnEvent } from "@/lib/observability/turn-events";
import { logger } from "@/lib/observability/logger";
import { sha256 } from "@/lib/audit-record/canonical";
import type { AuditAction } from "@/lib/audit-record/events";
import { contentFor } from "@/lib/audit-record/redact";
import { enqueueAuditEvent } from "./step-writer";
import { installAuditScrapeSources } from "./scrape-sources";

/**
 * Turns each chat-turn step into an audit event: who, when, how long, the outcome, SHA-256 of
 * what went in and out, and the content the org's policy allows (secrets always masked).
 */
const ACTION: Record<TurnEvent["step"], AuditAction> = {
  request_received: "chat.request_received",
  first_token: "chat.first_token",
  model_call: "chat.model_call",
  model_retry: "chat.model_retry",
  model_fallback: "chat.model_fallback",
  breaker_transition: "chat.breaker_transition",
  queue_wait: "chat.queue_wait",
  cache_hit: "chat.cache_hit",
  tool_call: "chat.tool_call",
  plan: "chat.plan",
  specialist_started: "chat.specialist_started",
  specialist_finished: "chat.specialist_finished",
  aggregate: "chat.aggregate",
  admission_refused: "chat.admission_refused",
  budget_cutoff: "chat.budget_cutoff",
  response_completed: "chat.response_completed",
  response_interrupted: "chat.response_interrupted",
  response_failed: "chat.response_failed",
};

async function record(e: TurnEvent): Promise<void> {
  const policy = await auditContentPolicy(e.orgId);
  const input = contentFor(policy, e.input);
  const output = contentFor(policy, e.output);
  enqueueAuditEvent({
    orgId: e.orgId,
    actorId: e.userId,
    sessionId: e.sessionId || null,
    requestId: e.requestId,
    action: ACTION[e.step],
    target: e.conversationId ? { type: "conversation", id: e.conversationId } : null,
    outcome: e.outcome,
    latencyMs: e.latencyMs ?? null,
    inputHash: e.input != null ? sha256(e.input) : null,
    outputHash: e.output != null ? sha256(e.output) : null,
    content: input !== undefined || output !== undefined ? { ...(input !== undefined ? { input } : {}), ...(output !== undefined ? { output } : {}), policy } : null,
    data: e.data,
    at: new Date(e.at),
  });
}

// One queue for the process, so events are appended in the order the steps happened even though
// preparing one may wait for the org's content policy.
let chain: Promise<void> = Promise.resolve();

export const auditTurnSink = (e: TurnEvent): void => {
  chain = chain
    .then(() => record(e))
    .catch((err: unknown) => logger.error({ err, step: e.step }, "could not prepare a chat-turn audit event"));
};

/** Resolves once every step emitted so far is queued for writing (tests, shutdown). */
export function auditSinkSettled(): Promise<void> {
  return chain;
}

// On globalThis: Next bundles this module into more than one graph, and each would subscribe.
const holder = globalThis as typeof globalThis & { __enclaveAuditSinkInstalled?: boolean };

/** Subscribes the audit trail to chat-turn steps (once per process). */
export function installAuditTurnSink(): void {
  installAuditScrapeSources();
  if (holder.__enclaveAuditSinkInstalled) return;
  holder.__enclaveAuditSinkInstalled = true;
  onTurnEvent(auditTurnSink);
}
