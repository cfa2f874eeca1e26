/**
 * Every column that holds what people wrote, encrypted at rest (lib/privacy/encryption), and the
 * context each value is sealed for: the column and, for personal data, its owner, so that a
 * ciphertext copied into someone else's row does not open. The re-encryption of `keys:rotate`
 * walks this list, and lib/db/encryption-coverage.db.test.ts proves that every text column of
 * the schema is either here or exempted with a reason.
 */
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";

export interface SealedColumn {
  table: string;
  column: string;
  /** `json`: a Json column holding one sealed JSON string. */
  kind: "text" | "json";
  /** The column naming whose data it is (part of the sealing context); null: the org's. */
  owner: string | null;
  /** The row's key columns (re-encryption updates one row at a time). */
  key: string[];
  /** The column holding the value's blind index, recomputed when it is re-encrypted. */
  terms?: string;
  /** Immutable once written (the audit trail): keeps the key version it was sealed with. */
  immutable?: boolean;
  /** Values can be megabytes (export archives): re-encrypted a few rows at a time. */
  large?: boolean;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "Conversation", column: "title", kind: "text", owner: "userId", key: ["id"] },
  { table: "Message", column: "parts", kind: "json", owner: "userId", key: ["conversationId", "id"], terms: "terms" },
  { table: "Memory", column: "text", kind: "text", owner: "userId", key: ["id"], terms: "terms" },
  { table: "UserPreference", column: "language", kind: "text", owner: "userId", key: ["userId"] },
  { table: "UserPreference", column: "tone", kind: "text", owner: "userId", key: ["userId"] },
  { table: "ConversationView", column: "conversationTitle", kind: "text", owner: "ownerId", key: ["id"] },
  { table: "ConversationView", column: "justification", kind: "text", owner: "ownerId", key: ["id"] },
  { table: "DataExport", column: "archive", kind: "text", owner: "userId", key: ["id"], large: true },
  { table: "AuditEvent", column: "content", kind: "json", owner: null, key: ["id"], immutable: true },
];

/** The context a value of `table.column` owned by `owner` is sealed for. */
export function sealContext(table: string, column: string, owner: string | null): string {
  return owner === null ? `${table}.${column}` : `${table}.${column}:${owner}`;
}

/** The context of `c`'s value in `row` (which holds the column's owner, if it has one). */
export function contextOf(c: SealedColumn, row: Record<string, unknown>): string {
  return sealContext(c.table, c.column, c.owner === null ? null : String(row[c.owner]));
}

/** `c`'s stored value in `row`, opened: a JSON value for json columns, else the text. */
export function openColumn(c: SealedColumn, cipher: ContentCipher, row: Record<string, unknown>, stored: unknown): unknown {
  const ctx = contextOf(c, row);
  return c.kind === "json" ? cipher.openJson(stored, ctx) : cipher.open(String(stored), ctx);
}

/** Shorthands for the repositories. */
export const seal = {
  title: (userId: string) => sealContext("Conversation", "title", userId),
  parts: (userId: string) => sealContext("Message", "parts", userId),
  memory: (userId: string) => sealContext("Memory", "text", userId),
  language: (userId: string) => sealContext("UserPreference", "language", userId),
  tone: (userId: string) => sealContext("UserPreference", "tone", userId),
  viewTitle: (ownerId: string) => sealContext("ConversationView", "conversationTitle", ownerId),
  justification: (ownerId: string) => sealContext("ConversationView", "justification", ownerId),
  archive: (userId: string) => sealContext("DataExport", "archive", userId),
  auditContent: () => sealContext("AuditEvent", "content", null),
};

/** The texts of a message's text parts. */
export function textsOf(parts: unknown): string[] {
  if (!Array.isArray(parts)) return [];
  return parts
    .filter((p): p is { type: "text"; text: string } => typeof p === "object" && p !== null && (p as { type?: unknown }).type === "text" && typeof (p as { text?: unknown }).text === "string")
    .map((p) => p.text);
}

/** The text of a message's text parts, for its blind index and search. */
export function partsText(parts: unknown): string {
  return textsOf(parts).join("\n");
}
