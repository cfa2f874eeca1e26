import type { Prisma } from "./generated/client";

/**
 * Whether the org would still have an active built-in admin without `userId`. Locks the org row
 * first, so two concurrent changes (two admins demoting each other) are serialized and cannot
 * both pass. Call inside the transaction that makes the change.
 */
export async function orgKeepsAnAdminWithout(tx: Prisma.TransactionClient, orgId: string, userId: string): Promise<boolean> {
  await tx.$queryRaw`SELECT "id" FROM "Org" WHERE "id" = ${orgId} FOR UPDATE`;
  const others = await tx.user.count({ where: { orgId, role: "admin", disabledAt: null, id: { not: userId } } });
  return others > 0;
}
