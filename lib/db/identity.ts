/**
 * Lookups made before there is a principal: sign-in, provisioning and turning a session id
 * into a principal. They cannot be scoped by a principal because they are how one is built,
 * so they are named `unsafe…` and used only by lib/auth.
 */
import { writeAudit } from "./audit";
import { getPrisma } from "./database";
import { orgKeepsAnAdminWithout } from "./guards";
import { isUniqueViolation } from "./prisma-errors";
import { SYSTEM_ORG } from "./system-org";
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

/** An SSO identity: the IdP's issuer and the subject (`sub`) it gives this person. */
export interface SsoIdentity {
  issuer: string;
  subject: string;
}

/** A user with the SSO identity their account is bound to (null before their first SSO sign-in). */
export interface SsoUserRecord extends UserRecord {
  ssoIdentity: SsoIdentity | null;
}

const ssoUserSelect = { ...userSelect, ssoIssuer: true, ssoSubject: true } as const;

function ssoUser({ ssoIssuer, ssoSubject, ...u }: UserRecord & { ssoIssuer: string | null; ssoSubject: string | null }): SsoUserRecord {
  return { ...u, ssoIdentity: ssoIssuer !== null && ssoSubject !== null ? { issuer: ssoIssuer, subject: ssoSubject } : null };
}

export async function unsafeFindSsoUserByEmail(email: string): Promise<SsoUserRecord | null> {
  const prisma = await getPrisma();
  const u = await prisma.user.findUnique({ where: { email: email.toLowerCase() }, select: ssoUserSelect });
  return u ? ssoUser(u) : null;
}

/** The account an SSO identity is bound to: the only way an SSO sign-in finds an existing user. */
export async function unsafeFindUserBySsoIdentity(identity: SsoIdentity): Promise<UserRecord | null> {
  const prisma = await getPrisma();
  return prisma.user.findFirst({ where: { ssoIssuer: identity.issuer, ssoSubject: identity.subject }, select: userSelect });
}

/**
 * Binds an account that has no SSO identity yet (a seeded or pre-created user's first SSO
 * sign-in) to `identity`, audited in the same transaction. Only an unbound account is changed,
 * so of two identities racing for one account exactly one wins; the result says which.
 */
export async function unsafeBindSsoIdentity(input: {
  userId: string;
  orgId: string;
  identity: SsoIdentity;
}): Promise<"bound" | "already-bound" | "bound-to-another"> {
  const prisma = await getPrisma();
  try {
    return await prisma.$transaction(async (tx) => {
      const { count } = await tx.user.updateMany({
        where: { id: input.userId, ssoIssuer: null, ssoSubject: null },
        data: { ssoIssuer: input.identity.issuer, ssoSubject: input.identity.subject },
      });
      if (count === 0) {
        const now = await tx.user.findUnique({ where: { id: input.userId }, select: { ssoIssuer: true, ssoSubject: true } });
        return now?.ssoIssuer === input.identity.issuer && now?.ssoSubject === input.identity.subject ? "already-bound" : "bound-to-another";
      }
      await writeAudit(tx, {
        orgId: input.orgId,
        actorId: input.userId,
        action: "auth.sso_identity_bound",
        target: { type: "user", id: input.userId },
        data: { issuer: input.identity.issuer, subject: input.identity.subject },
      });
      return "bound";
    });
  } catch (e) {
    // The identity is already bound to some other account.
    if (isUniqueViolation(e)) return "bound-to-another";
    throw e;
  }
}

export async function unsafeOrgAllowsDevLogin(orgId: string): Promise<boolean> {
  const prisma = await getPrisma();
  const org = await prisma.org.findUnique({ where: { id: orgId }, select: { devLoginEnabled: true } });
  return org?.devLoginEnabled ?? false;
}

/**
 * The org that claims an email domain, and whether the claim is verified (set by the operator or
 * proven by DNS). Only a verified claim provisions people or receives their refused sign-ins.
 */
export async function unsafeFindOrgByEmailDomain(domain: string): Promise<(OrgRecord & { domainVerified: boolean }) | null> {
  const prisma = await getPrisma();
  const d = domain.toLowerCase();
  const org = await prisma.org.findFirst({
    where: { emailDomains: { has: d } },
    select: { id: true, name: true, slug: true, emailDomains: true, verifiedEmailDomains: true },
  });
  if (!org) return null;
  const { verifiedEmailDomains, ...rest } = org;
  return { ...rest, domainVerified: verifiedEmailDomains.includes(d) };
}

/**
 * Just-in-time provisioning on first SSO sign-in, bound to the identity that signed in.
 * Concurrent first sign-ins converge on one row; the caller checks the row's identity is theirs.
 */
export async function unsafeProvisionUser(input: {
  orgId: string;
  email: string;
  name: string;
  identity: SsoIdentity;
}): Promise<SsoUserRecord> {
  const prisma = await getPrisma();
  const email = input.email.toLowerCase();
  try {
    return await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { orgId: input.orgId, email, name: input.name, role: "member", ssoIssuer: input.identity.issuer, ssoSubject: input.identity.subject },
        select: ssoUserSelect,
      });
      await writeAudit(tx, {
        orgId: input.orgId,
        actorId: null,
        action: "user.provisioned",
        target: { type: "user", id: user.id },
        data: { email, via: "sso", issuer: input.identity.issuer, subject: input.identity.subject },
      });
      return ssoUser(user);
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const existing = await prisma.user.findUnique({ where: { email }, select: ssoUserSelect });
    if (!existing) throw e;
    return ssoUser(existing);
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
  await prisma.$transaction(async (tx) => {
    await tx.session.create({ data: input, select: { id: true } });
    await tx.user.update({ where: { id: input.userId }, data: { lastSignInAt: new Date() }, select: { id: true } });
    await writeAudit(tx, {
      orgId: input.orgId,
      actorId: input.userId,
      sessionId: input.id,
      action: "auth.sign_in",
      target: { type: "user", id: input.userId },
      data: { provider: input.provider },
    });
  });
}

/** The system scope's org row, created on first use (see system-org.ts). */
async function ensureSystemOrg(): Promise<string> {
  const prisma = await getPrisma();
  await prisma.org.createMany({
    data: [{ ...SYSTEM_ORG, emailDomains: [], devLoginEnabled: false, auditContent: "hashes" }],
    skipDuplicates: true,
  });
  return SYSTEM_ORG.id;
}

/**
 * A refused sign-in, for the audit trail: in the person's org when Enclave knows it (a known
 * user, or an org that owns the email's domain), otherwise in the system scope. `email` is the
 * identifier that was tried; `issuer`/`subject` the SSO identity, if any. Never a secret.
 */
export async function unsafeRecordRefusedSignIn(input: {
  orgId: string | null;
  userId?: string | null;
  provider: string;
  reason: string;
  email?: string;
  identity?: SsoIdentity | null;
}): Promise<void> {
  const prisma = await getPrisma();
  const orgId = input.orgId ?? (await ensureSystemOrg());
  await writeAudit(prisma, {
    orgId,
    actorId: input.userId ?? null,
    action: "auth.sign_in_refused",
    target: input.userId ? { type: "user", id: input.userId } : null,
    outcome: "failure",
    data: {
      provider: input.provider,
      reason: input.reason,
      ...(input.email !== undefined ? { email: input.email.slice(0, 320) } : {}),
      ...(input.identity ? { issuer: input.identity.issuer, subject: input.identity.subject } : {}),
    },
  });
}

export interface MappingOutcome {
  role: { from: string; to: string } | null;
  team: { from: string | null; to: string | null } | null;
  /** Set when the mapping would have removed the org's last admin and was not applied. */
  keptLastAdmin: boolean;
}

/**
 * Applies the org's SSO group mappings to a person at sign-in. Mappings govern only what they
 * mention: if any maps a role, the role follows the groups (first matching mapping, else
 * member); likewise for teams. Changes are audited as the system's, in one transaction; the
 * org's last admin is never demoted this way.
 */
export async function unsafeApplyGroupMappings(input: { userId: string; orgId: string; groups: readonly string[] }): Promise<MappingOutcome> {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const outcome: MappingOutcome = { role: null, team: null, keptLastAdmin: false };
    const mappings = await tx.groupMapping.findMany({ where: { orgId: input.orgId }, orderBy: [{ position: "asc" }, { group: "asc" }] });
    if (mappings.length === 0) return outcome;
    const user = await tx.user.findFirst({ where: { id: input.userId, orgId: input.orgId }, select: { role: true, teamId: true } });
    if (!user) return outcome;
    const groups = new Set(input.groups);
    const matched = mappings.filter((m) => groups.has(m.group));
    let role = user.role;
    if (mappings.some((m) => m.roleKey)) role = matched.find((m) => m.roleKey)?.roleKey ?? "member";
    let teamId = user.teamId;
    if (mappings.some((m) => m.teamId)) teamId = matched.find((m) => m.teamId)?.teamId ?? null;

    if (role !== user.role && user.role === "admin" && !(await orgKeepsAnAdminWithout(tx, input.orgId, input.userId))) {
      role = user.role;
      outcome.keptLastAdmin = true;
    }
    const data = { via: "sso-groups", groups: [...groups].slice(0, 50) };
    if (role !== user.role || teamId !== user.teamId) {
      await tx.user.update({ where: { id: input.userId }, data: { role, teamId }, select: { id: true } });
    }
    if (role !== user.role) {
      outcome.role = { from: user.role, to: role };
      await writeAudit(tx, { orgId: input.orgId, actorId: null, action: "user.role_changed", target: { type: "user", id: input.userId }, data: { ...data, from: user.role, to: role } });
    }
    if (teamId !== user.teamId) {
      outcome.team = { from: user.teamId, to: teamId };
      await writeAudit(tx, { orgId: input.orgId, actorId: null, action: "user.team_changed", target: { type: "user", id: input.userId }, data: { ...data, from: user.teamId, to: teamId } });
    }
    return outcome;
  });
}

/** A person as authorization needs them: their role's permissions and the teams they manage. */
export interface ActingUser extends UserRecord {
  /** For custom roles; built-in roles take theirs from the catalog. */
  rolePermissions: string[];
  managedTeamIds: string[];
}

export interface ActiveSession {
  sessionId: string;
  expiresAt: Date;
  user: ActingUser;
}

interface ActingRow {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: string;
  teamId: string | null;
  rolePermissions: string[] | null;
  managedTeamIds: string[] | null;
}

function acting(r: ActingRow): ActingUser {
  return {
    id: r.id,
    orgId: r.orgId,
    email: r.email,
    name: r.name,
    role: r.role,
    teamId: r.teamId,
    disabledAt: null,
    rolePermissions: r.rolePermissions ?? [],
    managedTeamIds: r.managedTeamIds ?? [],
  };
}

// Timestamps are stored as UTC wall time (Prisma's convention), so "now" is compared in UTC.
const NOW_UTC = "(now() AT TIME ZONE 'UTC')";

/**
 * One round trip per request: the session must be live and its user enabled; the same query
 * brings the role's permissions and the managed teams, so nothing else is read to authorize.
 */
export async function unsafeResolveSession(sessionId: string): Promise<ActiveSession | null> {
  const prisma = await getPrisma();
  const rows = await prisma.$queryRawUnsafe<Array<ActingRow & { sessionId: string; expiresAt: Date }>>(
    `SELECT s."id" AS "sessionId", s."expiresAt", u."id", u."orgId", u."email", u."name", u."role", u."teamId",
            r."permissions" AS "rolePermissions",
            ARRAY(SELECT tm."teamId" FROM "TeamManager" tm WHERE tm."userId" = u."id" ORDER BY tm."teamId") AS "managedTeamIds"
       FROM "Session" s
       JOIN "User" u ON u."id" = s."userId"
       JOIN "Role" r ON r."orgId" = u."orgId" AND r."key" = u."role"
      WHERE s."id" = $1 AND s."revokedAt" IS NULL AND s."expiresAt" > ${NOW_UTC} AND u."disabledAt" IS NULL`,
    sessionId,
  );
  const row = rows[0];
  if (!row) return null;
  return { sessionId: row.sessionId, expiresAt: new Date(row.expiresAt), user: acting(row) };
}

export interface ActiveApiKey {
  keyId: string;
  scopes: string[];
  lastUsedAt: Date | null;
  user: ActingUser;
}

/** The key must be unrevoked and unexpired, and its owner enabled. Looked up by its SHA-256. */
export async function unsafeResolveApiKey(hash: string): Promise<ActiveApiKey | null> {
  const prisma = await getPrisma();
  const rows = await prisma.$queryRawUnsafe<Array<ActingRow & { keyId: string; scopes: string[]; lastUsedAt: Date | null }>>(
    `SELECT k."id" AS "keyId", k."scopes", k."lastUsedAt", u."id", u."orgId", u."email", u."name", u."role", u."teamId",
            r."permissions" AS "rolePermissions",
            ARRAY(SELECT tm."teamId" FROM "TeamManager" tm WHERE tm."userId" = u."id" ORDER BY tm."teamId") AS "managedTeamIds"
       FROM "ApiKey" k
       JOIN "User" u ON u."id" = k."userId" AND u."orgId" = k."orgId"
       JOIN "Role" r ON r."orgId" = u."orgId" AND r."key" = u."role"
      WHERE k."hash" = $1 AND k."revokedAt" IS NULL AND (k."expiresAt" IS NULL OR k."expiresAt" > ${NOW_UTC})
        AND u."disabledAt" IS NULL`,
    hash,
  );
  const row = rows[0];
  if (!row) return null;
  return { keyId: row.keyId, scopes: row.scopes, lastUsedAt: row.lastUsedAt ? new Date(row.lastUsedAt) : null, user: acting(row) };
}

/** Off the hot path and at most once a minute per key: last use is informational. */
export async function unsafeTouchApiKey(keyId: string): Promise<void> {
  const prisma = await getPrisma();
  await prisma.apiKey.updateMany({
    where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(Date.now() - 60_000) } }] },
    data: { lastUsedAt: new Date() },
  });
}

export async function unsafeRevokeSession(sessionId: string): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const session = await tx.session.findFirst({ where: { id: sessionId, revokedAt: null }, select: { orgId: true, userId: true } });
    if (!session) return;
    await tx.session.update({ where: { id: sessionId }, data: { revokedAt: new Date() }, select: { id: true } });
    await writeAudit(tx, {
      orgId: session.orgId,
      actorId: session.userId,
      sessionId,
      action: "auth.sign_out",
      target: { type: "user", id: session.userId },
    });
  });
}

/**
 * For the dev sign-in picker only (never shown when dev sign-in is off): active people of orgs
 * that allow dev sign-in. Nobody else could sign in this way, so nobody else is listed.
 */
export async function unsafeListUsersForDevLogin(): Promise<Array<UserRecord & { orgName: string }>> {
  const prisma = await getPrisma();
  const rows = await prisma.user.findMany({
    where: { disabledAt: null, org: { devLoginEnabled: true } },
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
