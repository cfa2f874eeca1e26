/** Shapes lib/db hands out. Prisma's generated types stay inside lib/db. */

import type { AgentVersions } from "@/lib/agents/types";

export type MessageRole = "user" | "assistant" | "system";
export type MessageStatus = "complete" | "streaming" | "interrupted" | "error";

export interface ConversationSummary {
  id: string;
  title: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredMessage {
  id: string;
  conversationId: string;
  role: MessageRole;
  /** UI message parts as the AI SDK renders them ({type:"text", text}, …). */
  parts: unknown[];
  status: MessageStatus;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  error: string | null;
  /** The model deployment that answered (replies), and whether it was a fallback. */
  deploymentId?: string | null;
  fallback?: boolean;
  /** For a reply: the version of each agent that produced it (0 = built-in default). */
  agentVersions?: AgentVersions | null;
  createdAt: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface UserRecord {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: string;
  teamId: string | null;
  disabledAt: Date | null;
}

export interface OrgRecord {
  id: string;
  name: string;
  slug: string;
  emailDomains: string[];
}
