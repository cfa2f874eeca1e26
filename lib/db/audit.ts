import { randomBytes } from "node:crypto";
import { REDACTABLE_FIELDS } from "@/lib/audit-record/canonical";
import { AuditEventInput } from "@/lib/audit-record/events";
import { maskSecretsDeep } from "@/lib/audit-record/redact";
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";
import type { Prisma, PrismaClient } from "./generated/client";
import { getPrisma } from "./database";
import { cipherFor } from "./keyring";
import { seal } from "./sealed-columns";

type Writer = PrismaClient | Prisma.TransactionClient;

type ParsedEvent = ReturnType<typeof AuditEventInput.parse>;

function toRow(e: ParsedEvent, cipher: ContentCipher | null): Prisma.AuditEventCreateManyInput {
  const data = e.at ? { ...e.data, at: e.at.toISOString() } : e.data;
  return {
    orgId: e.orgId,
    actorId: e.actorId,
    sessionId: e.sessionId ?? null,
    requestId: e.requestId ?? null,
    action: e.action,
    targetType: e.target?.type ?? null,
    targetId: e.target?.id ?? null,
    outcome: e.outcome,
    latencyMs: e.latencyMs ?? null,
    inputHash: e.inputHash ?? null,
    outputHash: e.outputHash ?? null,
    // Secrets never reach the trail, whatever the caller passed; what was said is sealed with
    // the org's key (the chain covers the sealed value, so verifying needs no key).
    content: e.content && cipher ? cipher.sealJson(maskSecretsDeep(e.content), seal.auditContent()) : undefined,
    // The database stamps createdAt itself (an insert cannot backdate an event); the time a step
    // reports for itself (batched steps are written after they happened) is kept as data.at.
    data: data ? (maskSecretsDeep(data) as Prisma.InputJsonValue) : undefined,
    // Hash version 2: each field that can hold something about a person gets its own salt, so an
    // erasure can redact it later without breaking the chain.
    salts: Object.fromEntries(REDACTABLE_FIELDS.map((f) => [f, randomBytes(12).toString("base64url")])),
  };
}

/**
 * Appends an audit event with the given client — pass the transaction of the change it records,
 * so that the change and its record commit or fail together. Inserting takes no lock: the chain
 * is sealed afterwards, in batches.
 */
export async function writeAudit(client: Writer, input: AuditEventInput): Promise<void> {
  const e = AuditEventInput.parse(input);
  const cipher = e.content ? await cipherFor(e.orgId, client) : null;
  await client.auditEvent.create({ data: toRow(e, cipher), select: { id: true } });
}

/** Many events in one statement (the chat-turn step writer). */
export async function writeAuditBatch(inputs: AuditEventInput[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const prisma = await getPrisma();
  const events = inputs.map((i) => AuditEventInput.parse(i));
  const ciphers = new Map<string, ContentCipher>();
  for (const e of events) if (e.content && !ciphers.has(e.orgId)) ciphers.set(e.orgId, await cipherFor(e.orgId));
  const { count } = await prisma.auditEvent.createMany({ data: events.map((e) => toRow(e, ciphers.get(e.orgId) ?? null)) });
  return count;
}

/** The principal-side fields of an event, from whoever is acting. */
export function actorOf(p: { orgId: string; userId: string; sessionId: string }, requestId?: string) {
  return { orgId: p.orgId, actorId: p.userId, sessionId: p.sessionId, requestId: requestId ?? null };
}

/** Cached per process for a short while: a policy change takes effect within seconds. */
const policyCache = new Map<string, { value: "full" | "redacted" | "hashes"; until: number }>();

export async function auditContentPolicy(orgId: string): Promise<"full" | "redacted" | "hashes"> {
  const hit = policyCache.get(orgId);
  if (hit && hit.until > Date.now()) return hit.value;
  const prisma = await getPrisma();
  const org = await prisma.org.findUnique({ where: { id: orgId }, select: { auditContent: true } });
  const value = org?.auditContent ?? "hashes";
  policyCache.set(orgId, { value, until: Date.now() + 10_000 });
  return value;
}

export function forgetAuditContentPolicy(orgId: string): void {
  policyCache.delete(orgId);
}
