import type { UIMessage } from "ai";
import type { AgentVersions } from "@/lib/agents/types";
import type { MessageStatus, StoredMessage } from "@/lib/db";

/** What the browser gets alongside each message (rendered as badges, retry buttons, …). */
export interface MessageMetadata {
  status?: MessageStatus;
  model?: string | null;
  createdAt?: string;
  error?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  /** The model deployment that answered, and whether it stood in for a failed one. */
  deployment?: string | null;
  fallback?: boolean;
  /** Which version of each agent produced the reply (admins edit them in /admin/agents). */
  agentVersions?: AgentVersions | null;
  /** Set when the user is past their budget's soft threshold (the chat shows a banner). */
  budgetWarning?: { percent: number; budget: string; resetsAt: string };
}

export type EnclaveUIMessage = UIMessage<MessageMetadata>;

// A reply still marked `streaming` long after it started belongs to a turn that died with its
// process; show it as interrupted so the user can retry.
const STALE_STREAM_MS = 10 * 60 * 1000;

export function effectiveStatus(m: Pick<StoredMessage, "status" | "createdAt">, now = Date.now()): MessageStatus {
  if (m.status === "streaming" && now - m.createdAt.getTime() > STALE_STREAM_MS) return "interrupted";
  return m.status;
}

export function toUIMessage(m: StoredMessage, now = Date.now()): EnclaveUIMessage {
  return {
    id: m.id,
    role: m.role,
    parts: m.parts as EnclaveUIMessage["parts"],
    metadata: {
      status: effectiveStatus(m, now),
      model: m.model,
      createdAt: m.createdAt.toISOString(),
      error: m.error,
      inputTokens: m.inputTokens,
      outputTokens: m.outputTokens,
      deployment: m.deploymentId ?? null,
      fallback: m.fallback ?? false,
      agentVersions: m.agentVersions ?? null,
    },
  };
}

/**
 * The history the model sees: what was said, minus failed replies that said nothing. The trace
 * (data parts) is for people; the next turn's models see only the answers.
 */
export function forModel(history: StoredMessage[]): EnclaveUIMessage[] {
  return history
    .map((m) => ({ id: m.id, role: m.role, parts: (m.parts as EnclaveUIMessage["parts"]).filter((p) => !p.type.startsWith("data-")) }))
    .filter((m) => !(m.role === "assistant" && m.parts.length === 0));
}
