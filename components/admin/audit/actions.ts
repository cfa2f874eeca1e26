import type { AuditAction } from "@/lib/audit-record/events";

/**
 * How the console names and groups audit actions. Typed against the closed set in
 * lib/audit/events.ts (type-only, so the client bundle does not pull in zod): a new action
 * fails the typecheck until it has a label here.
 */
export const ACTION_LABELS = {
  "chat.request_received": "Request received",
  "chat.first_token": "First token",
  "chat.model_call": "Model call",
  "chat.model_retry": "Model retry",
  "chat.model_fallback": "Model fallback",
  "chat.breaker_transition": "Breaker changed",
  "chat.queue_wait": "Queued for a model slot",
  "chat.cache_hit": "Answered from cache",
  "chat.tool_call": "Tool call",
  "chat.plan": "Plan",
  "chat.specialist_started": "Specialist started",
  "chat.specialist_finished": "Specialist finished",
  "chat.aggregate": "Answer aggregated",
  "chat.admission_refused": "Turn refused (limit)",
  "chat.budget_cutoff": "Turn cut off (budget)",
  "chat.response_completed": "Completed",
  "chat.response_interrupted": "Interrupted",
  "chat.response_failed": "Failed",
  "audit.exported": "Audit trail exported",
  "audit.verified": "Audit chain verified",
  "auth.sign_in": "Signed in",
  "auth.sign_in_refused": "Sign-in refused",
  "auth.sso_identity_bound": "SSO identity bound",
  "auth.sign_out": "Signed out",
  "user.provisioned": "User provisioned",
  "user.role_changed": "Role changed",
  "user.team_changed": "Team changed",
  "user.deactivated": "User deactivated",
  "user.reactivated": "User reactivated",
  "team.created": "Team created",
  "team.renamed": "Team renamed",
  "team.deleted": "Team deleted",
  "team.manager_added": "Team manager added",
  "team.manager_removed": "Team manager removed",
  "role.created": "Role created",
  "role.updated": "Role updated",
  "role.deleted": "Role deleted",
  "org.settings_changed": "Org settings changed",
  "conversation.viewed": "Conversation viewed",
  "conversation.renamed": "Conversation renamed",
  "conversation.deleted": "Conversation deleted",
  "apikey.created": "API key created",
  "apikey.revoked": "API key revoked",
  "agent.updated": "Agent updated",
  "agent.rolled_back": "Agent rolled back",
  "limit.set": "Limit set",
  "limit.removed": "Limit removed",
  "budget.set": "Budget set",
  "budget.removed": "Budget removed",
  "budget.threshold_reached": "Budget threshold reached",
  "budget.exceeded": "Budget exceeded",
  "memory.added": "Memory added",
  "memory.edited": "Memory edited",
  "memory.deleted": "Memory deleted",
  "memory.proposed": "Memory proposed",
  "memory.accepted": "Memory accepted",
  "memory.rejected": "Memory rejected",
  "preferences.changed": "Preferences changed",
  "data.export_requested": "Data export requested",
  "data.exported": "Data exported",
  "data.export_downloaded": "Data export downloaded",
  "retention.purged": "Old conversations purged",
  "data.erasure_requested": "Data erasure requested",
  "data.erased": "Data erased",
} as const satisfies Record<AuditAction, string>;

export type KnownAction = keyof typeof ACTION_LABELS;

export function actionLabel(action: string): string {
  return (ACTION_LABELS as Record<string, string>)[action] ?? action;
}

export interface ActionGroup {
  label: string;
  /** The filter value that selects the whole group (prefixes, comma-separated). */
  value: string;
  allLabel: string;
  prefixes: readonly string[];
}

/** The action filter's groups, in menu order. */
export const ACTION_GROUPS: readonly ActionGroup[] = [
  { label: "Chat steps", value: "chat.", allLabel: "All chat steps", prefixes: ["chat."] },
  { label: "Sign-in", value: "auth.", allLabel: "All sign-in events", prefixes: ["auth."] },
  {
    label: "Admin changes",
    value: "user.,team.,role.,org.",
    allLabel: "All admin changes",
    prefixes: ["user.", "team.", "role.", "org."],
  },
  { label: "Views", value: "conversation.viewed", allLabel: "All justified views", prefixes: ["conversation.viewed"] },
  {
    label: "Conversations",
    value: "conversation.renamed,conversation.deleted",
    allLabel: "All conversation renames and deletions",
    prefixes: ["conversation.renamed", "conversation.deleted"],
  },
  { label: "Agents", value: "agent.", allLabel: "All agent edits", prefixes: ["agent."] },
  { label: "Limits and budgets", value: "limit.,budget.", allLabel: "All limit and budget events", prefixes: ["limit.", "budget."] },
  { label: "Keys", value: "apikey.", allLabel: "All API key events", prefixes: ["apikey."] },
  { label: "Memory and data", value: "memory.,preferences.,data.,retention.", allLabel: "All memory, preference, data-export and retention events", prefixes: ["memory.", "preferences.", "data.", "retention."] },
  { label: "Audit", value: "audit.", allLabel: "All audit-trail events", prefixes: ["audit."] },
];

export const KNOWN_ACTIONS = Object.keys(ACTION_LABELS) as KnownAction[];

export function actionsOf(group: ActionGroup): KnownAction[] {
  return KNOWN_ACTIONS.filter((a) => group.prefixes.some((p) => a.startsWith(p)));
}

/** Whether the select can show this filter value (else it is a free prefix, shown in the text box). */
export function isMenuValue(value: string): boolean {
  return (
    value === "" ||
    ACTION_GROUPS.some((g) => g.value === value) ||
    (KNOWN_ACTIONS as readonly string[]).includes(value)
  );
}

export function isChatStep(action: string): boolean {
  return action.startsWith("chat.");
}
