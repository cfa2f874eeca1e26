import { createHash } from "node:crypto";

/**
 * The canonical serialization an event's hash is computed over: JSON with object keys sorted at
 * every depth, no whitespace, undefined dropped, dates as ISO-8601 UTC with milliseconds. It is
 * computed from the row as stored, so anyone re-reading the table can recompute it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value);
}

export const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** The chain starts from this value: the first event's prevHash. */
export const GENESIS = "0".repeat(64);

/**
 * The fields that can hold something about a person, so an erasure may redact them. In a version
 * 2 event each is covered by the hash through its own salted digest, never its value directly.
 */
export const REDACTABLE_FIELDS = ["actorId", "sessionId", "targetId", "inputHash", "outputHash", "content", "data"] as const;
export type RedactableField = (typeof REDACTABLE_FIELDS)[number];
export type FieldSalts = Partial<Record<RedactableField, string>>;

/** What a version 2 hash covers of one redactable field: salt, name and value, never the value alone. */
export function fieldDigest(field: RedactableField, salt: string, value: unknown): string {
  return sha256(`${salt}:${field}:${canonicalJson(value ?? null)}`);
}

/** The fields an event's hash covers: everything about it, including its place in the chain. */
export interface HashedFields {
  id: string;
  orgId: string;
  seq: bigint;
  prevHash: string;
  createdAt: Date;
  actorId: string | null;
  sessionId: string | null;
  requestId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  latencyMs: number | null;
  inputHash: string | null;
  outputHash: string | null;
  content: unknown;
  data: unknown;
  /** Version 2: a salt per redactable field still present (null: a version 1 event). */
  salts?: FieldSalts | null;
  /** Version 2: the digest of each redacted field, in place of its salt and value. */
  redacted?: Partial<Record<RedactableField, string>> | null;
}

/**
 * Version 2 (events with salts): the redactable fields enter as digests, so redacting one (its
 * value gone, its digest kept) leaves the hash as it was. A field with neither salt nor digest
 * cannot be checked: the hash then comes out wrong, as it must.
 */
function eventHashV2(e: HashedFields & { salts: FieldSalts }): string {
  const fields: Record<string, string | null> = {};
  for (const f of REDACTABLE_FIELDS) {
    const kept = e.redacted?.[f];
    const salt = e.salts[f];
    fields[f] = kept ?? (salt ? fieldDigest(f, salt, e[f]) : null);
  }
  return sha256(
    canonicalJson({
      v: 2,
      id: e.id,
      orgId: e.orgId,
      seq: e.seq,
      prevHash: e.prevHash,
      createdAt: e.createdAt,
      requestId: e.requestId,
      action: e.action,
      targetType: e.targetType,
      outcome: e.outcome,
      latencyMs: e.latencyMs,
      fields,
    }),
  );
}

export function eventHash(e: HashedFields): string {
  if (e.salts) return eventHashV2({ ...e, salts: e.salts });
  return sha256(
    canonicalJson({
      v: 1,
      id: e.id,
      orgId: e.orgId,
      seq: e.seq,
      prevHash: e.prevHash,
      createdAt: e.createdAt,
      actorId: e.actorId,
      sessionId: e.sessionId,
      requestId: e.requestId,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      outcome: e.outcome,
      latencyMs: e.latencyMs,
      inputHash: e.inputHash,
      outputHash: e.outputHash,
      content: e.content ?? null,
      data: e.data ?? null,
    }),
  );
}
