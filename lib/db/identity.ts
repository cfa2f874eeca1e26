/**
 * Lookups made before there is a principal: sign-in, provisioning and turning a session id
 * into a principal. They cannot be scoped by a principal because they are how one is built,
 * so they are named `unsafe…` and used only by lib/auth.
 */
import { getPrisma } from "./database";
import { isUniqueViolation } from "./prisma-errors";
import type { OrgRecord, UserRecord } from "./types";

const userSelect = {
  id: true,
  orgId: true,
  email: true,
  name: true,
  role: true,
  teamId: true,
  disabledAt: true,
} as const;

export async function unsafeFindUserByEmail(email: string): Promise<UserRecord | null> {
  const prisma = await getPrisma();
  return prisma.user.findUnique({ where: { email: email.toLowerCase() }, select: userSelect });
}

export async function unsafeFindOrgByEmailDomain(domain: string): Promise<OrgRecord | null> {
  const prisma = await getPrisma();
  return prisma.org.findFirst({
    where: { emailDomains: { has: domain.toLowerCase() } },
    select: { id: true, name: true, slug: true, emailDomains: true },
  });
}

/** Just-in-time provisioning on first SSO sign-in. Concurrent first sign-ins converge on one row. */
export async function unsafeProvisionUser(input: { orgId: string; email: string; name: string }): Promise<UserRecord> {
  const prisma = await getPrisma();
  const email = input.email.toLowerCase();
  try {
    return await prisma.user.create({
      data: { orgId: input.orgId, email, name: input.name, role: "member" },
      select: userSelect,
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const existing = await prisma.user.findUnique({ where: { email }, select: userSelect });
    if (!existing) throw e;
    return existing;
  }
}

export async function unsafeCreateSession(input: {
  id: string;
  userId: string;
  orgId: string;
  provider: string;
  expiresAt: Date;
}): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$transaction([
    prisma.session.create({ data: input, select: { id: true } }),
    prisma.user.update({ where: { id: input.userId }, data: { lastSignInAt: new Date() }, select: { id: true } }),
  ]);
}

export interface ActiveSession {
  sessionId: string;
  expiresAt: Date;
  user: UserRecord;
}

/** One indexed read per request: the session must be live and its user enabled. */
export async function unsafeResolveSession(sessionId: string): Promise<ActiveSession | null> {
  const prisma = await getPrisma();
  const row = await prisma.session.findFirst({
    where: { id: sessionId, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, expiresAt: true, user: { select: userSelect } },
  });
  if (!row || row.user.disabledAt) return null;
  return { sessionId: row.id, expiresAt: row.expiresAt, user: row.user };
}

export async function unsafeRevokeSession(sessionId: string): Promise<void> {
  const prisma = await getPrisma();
  await prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** For the dev sign-in picker only (never shown when dev sign-in is off). */
export async function unsafeListUsersForDevLogin(): Promise<Array<UserRecord & { orgName: string }>> {
  const prisma = await getPrisma();
  const rows = await prisma.user.findMany({
    where: { disabledAt: null },
    orderBy: [{ org: { name: "asc" } }, { email: "asc" }],
    select: { ...userSelect, org: { select: { name: true } } },
    take: 200,
  });
  return rows.map(({ org, ...u }) => ({ ...u, orgName: org.name }));
}

/** For /api/health: proves the database answers, nothing more. */
export async function pingDatabase(): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$queryRaw`SELECT 1`;
}
