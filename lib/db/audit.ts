import { AuditEventInput } from "@/lib/audit/events";
import type { Prisma, PrismaClient } from "./generated/client";

type Writer = PrismaClient | Prisma.TransactionClient;

/**
 * Appends an audit event with the given client — pass the transaction of the change it records,
 * so that the change and its record commit or fail together.
 */
export async function writeAudit(client: Writer, input: AuditEventInput): Promise<void> {
  const e = AuditEventInput.parse(input);
  await client.auditEvent.create({
    data: {
      orgId: e.orgId,
      actorId: e.actorId,
      sessionId: e.sessionId ?? null,
      requestId: e.requestId ?? null,
      action: e.action,
      targetType: e.target?.type ?? null,
      targetId: e.target?.id ?? null,
      outcome: e.outcome,
      data: (e.data ?? undefined) as Prisma.InputJsonValue | undefined,
    },
    select: { id: true },
  });
}

/** The principal-side fields of an event, from whoever is acting. */
export function actorOf(p: { orgId: string; userId: string; sessionId: string }, requestId?: string) {
  return { orgId: p.orgId, actorId: p.userId, sessionId: p.sessionId, requestId: requestId ?? null };
}
