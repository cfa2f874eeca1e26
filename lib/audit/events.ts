import { z } from "zod";

/**
 * The closed set of audit actions. An event of any other kind cannot be written. The audit
 * issue adds the chat-turn steps and makes the log a tamper-evident chain; privileged actions
 * are recorded here from the start, in the same transaction as the change they describe.
 */
export const AuditAction = z.enum([
  "auth.sign_in",
  "auth.sign_in_refused",
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
  "apikey.created",
  "apikey.revoked",
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
  /** Structured detail: what changed (from/to), never secrets or conversation content. */
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEventInput = z.input<typeof AuditEventInput>;
