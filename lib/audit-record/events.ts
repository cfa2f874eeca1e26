import { z } from "zod";

/**
 * The closed set of audit actions: an event of any other kind cannot be written. Privileged
 * actions are recorded in the same transaction as the change they describe; chat-turn steps are
 * emitted by the turn pipeline (lib/observability/turn-events) and written in batches. A new kind of step
 * (a plan, a specialist, a retry, a cache hit…) is added by declaring it here and emitting it.
 */
export const AuditAction = z.enum([
  "chat.request_received",
  "chat.first_token",
  "chat.model_call",
  "chat.model_retry",
  "chat.model_fallback",
  "chat.breaker_transition",
  "chat.queue_wait",
  "chat.cache_hit",
  "chat.tool_call",
  "chat.plan",
  "chat.specialist_started",
  "chat.specialist_finished",
  "chat.aggregate",
  "chat.admission_refused",
  "chat.budget_cutoff",
  "chat.response_completed",
  "chat.response_interrupted",
  "chat.response_failed",
  "audit.exported",
  "audit.verified",
  "auth.sign_in",
  "auth.sign_in_refused",
  "auth.sso_identity_bound",
  "auth.sign_out",
  "user.provisioned",
  "user.role_changed",
  "user.team_changed",
  "user.deactivated",
  "user.reactivated",
  "team.created",
  "team.renamed",
  "team.deleted",
  "team.manager_added",
  "team.manager_removed",
  "role.created",
  "role.updated",
  "role.deleted",
  "org.settings_changed",
  "conversation.viewed",
  "conversation.renamed",
  "conversation.deleted",
  "apikey.created",
  "apikey.revoked",
  "agent.updated",
  "agent.rolled_back",
  "limit.set",
  "limit.removed",
  "budget.set",
  "budget.removed",
  "budget.threshold_reached",
  "budget.exceeded",
  "memory.added",
  "memory.edited",
  "memory.deleted",
  "memory.proposed",
  "memory.accepted",
  "memory.rejected",
  "preferences.changed",
  "data.export_requested",
  "data.exported",
  "data.export_downloaded",
  "retention.purged",
  "data.erasure_requested",
  "data.erased",
]);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEventInput = z.object({
  orgId: z.string().min(1),
  /** The acting user; null for the system (e.g. SSO sign-in applying group mappings). */
  actorId: z.string().min(1).nullable(),
  sessionId: z.string().nullable().optional(),
  requestId: z.string().nullable().optional(),
  action: AuditAction,
  target: z.object({ type: z.string().min(1), id: z.string().min(1) }).nullable().optional(),
  outcome: z.enum(["success", "failure"]).default("success"),
  latencyMs: z.number().int().min(0).nullable().optional(),
  /** SHA-256 (hex) of the step's input and output text. */
  inputHash: z.string().regex(/^[0-9a-f]{64}$/).nullable().optional(),
  outputHash: z.string().regex(/^[0-9a-f]{64}$/).nullable().optional(),
  /** What was said, already reduced to what the org's content policy allows. */
  content: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Structured detail: what changed (from/to), provider, tokens… never secrets. */
  data: z.record(z.string(), z.unknown()).optional(),
  /** When it happened (defaults to now); steps written in batches keep their own time. */
  at: z.date().optional(),
});
export type AuditEventInput = z.input<typeof AuditEventInput>;
