import { z } from "zod";
import type { AuditAction } from "@/lib/audit-record/events";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { forgetAuditContentPolicy } from "../audit";
import type { Prisma } from "../generated/client";
import { actorOf, writeAudit } from "../audit";
import { getPrisma } from "../database";
import { isUniqueViolation, prismaErrorCode } from "../prisma-errors";
import type { Page } from "../types";

/**
 * Org administration (users, teams, roles, settings), scoped to the principal's org. Which of
 * these a principal may call is decided by lib/authz at the entry point, and the rules (last
 * admin, no privilege escalation, …) live in lib/admin; this file is only data access. Every
 * query is bound to principal.orgId, so an id from another org matches nothing, exactly like a
 * missing one, and no body field can reach another org.
 *
 * Reads run on their own. Changes run through `write(fn)`: one interactive transaction that
 * first locks the org row (`SELECT … FOR UPDATE`), so that admin changes of one org are
 * serialized and a check made inside (e.g. "is this the last active admin?") still holds when
 * the change commits. The audit event is written with the same transaction.
 */

// ─── Shapes handed out (Prisma's types stay in lib/db) ─────────────────────────────────────────

export type UserStatusFilter = "active" | "disabled";
export type UserSort = "name" | "newest";

export interface AdminUserQuery {
  /** Case-insensitive substring of the name or the email. */
  search?: string;
  role?: string;
  /** A team id, or "none" for people without a team. */
  teamId?: string;
  status?: UserStatusFilter;
  sort: UserSort;
  limit: number;
  cursor?: string | null;
}

export interface AdminUserRecord {
  id: string;
  email: string;
  name: string;
  role: string;
  roleName: string;
  team: { id: string; name: string } | null;
  managedTeams: Array<{ id: string; name: string }>;
  disabledAt: Date | null;
  createdAt: Date;
  lastSignInAt: Date | null;
}

export interface PersonRecord {
  id: string;
  email: string;
  name: string;
  role: string;
  /** The permissions of a custom role's row (built-in roles take theirs from the catalog). */
  rolePermissions: string[];
  teamId: string | null;
  disabledAt: Date | null;
}

export interface TeamRecord {
  id: string;
  name: string;
  createdAt: Date;
  memberCount: number;
  managers: PersonRecord[];
}

export interface RoleRecord {
  key: string;
  name: string;
  description: string;
  builtIn: boolean;
  /** As stored: empty for built-in roles, whose permissions come from the catalog. */
  permissions: string[];
  userCount: number;
  /** SSO group mappings that assign this role. */
  mappingCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupMappingRecord {
  group: string;
  roleKey: string | null;
  teamId: string | null;
}

export interface OrgSettingsRecord {
  id: string;
  name: string;
  slug: string;
  emailDomains: string[];
  /** Those of emailDomains that are verified (operator, or DNS): only they provision people. */
  verifiedEmailDomains: string[];
  /** The value a DNS TXT record must carry to prove a domain is this org's. */
  domainVerificationToken: string;
  devLoginEnabled: boolean;
  auditContent: "full" | "redacted" | "hashes";
  /** Conversations are purged this many days after their last activity; null keeps them. */
  retentionDays: number | null;
  /** In order: the first matching mapping wins. */
  groupMappings: GroupMappingRecord[];
}

export interface UserChange {
  role?: string;
  teamId?: string | null;
  disabledAt?: Date | null;
}

// ─── Cursors ───────────────────────────────────────────────────────────────────────────────────

const CursorSchema = z.union([
  z.object({ s: z.literal("name"), n: z.string().max(400), i: z.string().min(1).max(128) }),
  z.object({ s: z.literal("newest"), c: z.iso.datetime(), i: z.string().min(1).max(128) }),
]);
type Cursor = z.infer<typeof CursorSchema>;

function encodeCursor(sort: UserSort, u: { id: string; name: string; createdAt: Date }): string {
  const c: Cursor =
    sort === "name"
      ? { s: "name", n: u.name, i: u.id }
      : { s: "newest", c: u.createdAt.toISOString(), i: u.id };
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(cursor: string, sort: UserSort): Cursor {
  let parsed: Cursor | null = null;
  try {
    parsed = CursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    parsed = null;
  }
  if (!parsed || parsed.s !== sort) {
    throw new AppError(
      "bad_request",
      "Invalid cursor: pass back the nextCursor value from a previous page with the same sort.",
      {
        fields: [{ field: "cursor", message: "not a cursor this API issued for this sort" }],
      },
    );
  }
  return parsed;
}

// ─── Selects ───────────────────────────────────────────────────────────────────────────────────

const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabledAt: true,
  createdAt: true,
  lastSignInAt: true,
  roleRef: { select: { name: true } },
  team: { select: { id: true, name: true } },
  managedTeams: {
    select: { team: { select: { id: true, name: true } } },
    orderBy: { team: { name: "asc" } },
  },
} as const satisfies Prisma.UserSelect;

type UserRow = Prisma.UserGetPayload<{ select: typeof userSelect }>;

/** People whose name or email contains `search`, ignoring case. */
function nameOrEmailContains(search: string): Prisma.UserWhereInput {
  return {
    OR: [
      { name: { contains: search, mode: "insensitive" } },
      { email: { contains: search, mode: "insensitive" } },
    ],
  };
}

function toAdminUser(r: UserRow): AdminUserRecord {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    roleName: r.roleRef.name,
    team: r.team,
    managedTeams: r.managedTeams.map((m) => m.team),
    disabledAt: r.disabledAt,
    createdAt: r.createdAt,
    lastSignInAt: r.lastSignInAt,
  };
}

const personSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  teamId: true,
  disabledAt: true,
  roleRef: { select: { permissions: true } },
} as const satisfies Prisma.UserSelect;

type PersonRow = Prisma.UserGetPayload<{ select: typeof personSelect }>;

function toPerson(r: PersonRow): PersonRecord {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    rolePermissions: r.roleRef.permissions,
    teamId: r.teamId,
    disabledAt: r.disabledAt,
  };
}

const roleSelect = {
  key: true,
  name: true,
  description: true,
  builtIn: true,
  permissions: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { users: true } },
} as const satisfies Prisma.RoleSelect;

type RoleRow = Prisma.RoleGetPayload<{ select: typeof roleSelect }>;

function toRole(r: RoleRow, mappingCount: number): RoleRecord {
  return {
    key: r.key,
    name: r.name,
    description: r.description,
    builtIn: r.builtIn,
    permissions: r.permissions,
    userCount: r._count.users,
    mappingCount,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

type Client = Prisma.TransactionClient;

async function readAdminUser(client: Client, orgId: string, userId: string): Promise<AdminUserRecord | null> {
  const r = await client.user.findFirst({ where: { id: userId, orgId }, select: userSelect });
  return r ? toAdminUser(r) : null;
}

/** The conflict when the unique index on (orgId, name) refuses a team name (creating or renaming). */
function teamNameTaken(name: string): AppError {
  return new AppError("conflict", `A team named “${name}” already exists.`, {
    fields: [{ field: "name", message: "already in use" }],
  });
}

async function readSettings(client: Client, orgId: string): Promise<OrgSettingsRecord | null> {
  const org = await client.org.findUnique({
    where: { id: orgId },
    select: {
      id: true,
      name: true,
      slug: true,
      emailDomains: true,
      verifiedEmailDomains: true,
      domainVerificationToken: true,
      devLoginEnabled: true,
      auditContent: true,
      retentionDays: true,
      groupMappings: {
        select: { group: true, roleKey: true, teamId: true },
        orderBy: [{ position: "asc" }, { group: "asc" }],
      },
    },
  });
  return org;
}

async function readRoles(client: Client, orgId: string): Promise<RoleRecord[]> {
  const [rows, mappings] = await Promise.all([
    client.role.findMany({
      where: { orgId },
      select: roleSelect,
      orderBy: [{ builtIn: "desc" }, { createdAt: "asc" }, { key: "asc" }],
    }),
    client.groupMapping.groupBy({
      by: ["roleKey"],
      where: { orgId, roleKey: { not: null } },
      _count: { _all: true },
    }),
  ]);
  const byRole = new Map(mappings.map((m) => [m.roleKey, m._count._all]));
  return rows.map((r) => toRole(r, byRole.get(r.key) ?? 0));
}

/**
 * The operations available inside `write(fn)`, all on the transaction and all scoped to the org.
 * Never call a repository outside the writer from inside `fn`: the embedded database has one
 * connection, held by this transaction.
 */
function writer(tx: Client, p: Principal, requestId: string | undefined) {
  const orgId = p.orgId;
  return {
    // Users
    async findPerson(userId: string): Promise<PersonRecord | null> {
      const r = await tx.user.findFirst({ where: { id: userId, orgId }, select: personSelect });
      return r ? toPerson(r) : null;
    },
    async getUser(userId: string): Promise<AdminUserRecord | null> {
      return readAdminUser(tx, orgId, userId);
    },
    /** Enabled people of this org holding the role. */
    async countActiveWithRole(roleKey: string): Promise<number> {
      return tx.user.count({ where: { orgId, role: roleKey, disabledAt: null } });
    },
    async updateUser(userId: string, change: UserChange): Promise<void> {
      const { count } = await tx.user.updateMany({ where: { id: userId, orgId }, data: change });
      if (count !== 1) throw AppError.notFound("User");
    },
    /** Ends every live session of the person; returns how many. */
    async revokeSessions(userId: string): Promise<number> {
      const { count } = await tx.session.updateMany({
        where: { userId, orgId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      return count;
    },

    // Teams
    async findTeam(teamId: string): Promise<{ id: string; name: string } | null> {
      return tx.team.findFirst({ where: { id: teamId, orgId }, select: { id: true, name: true } });
    },
    async findTeamByName(name: string): Promise<{ id: string; name: string } | null> {
      return tx.team.findFirst({
        where: { orgId, name: { equals: name, mode: "insensitive" } },
        select: { id: true, name: true },
      });
    },
    async createTeam(name: string): Promise<{ id: string; name: string; createdAt: Date }> {
      try {
        return await tx.team.create({
          data: { orgId, name },
          select: { id: true, name: true, createdAt: true },
        });
      } catch (e) {
        throw isUniqueViolation(e) ? teamNameTaken(name) : e;
      }
    },
    async renameTeam(teamId: string, name: string): Promise<void> {
      try {
        const { count } = await tx.team.updateMany({ where: { id: teamId, orgId }, data: { name } });
        if (count !== 1) throw AppError.notFound("Team");
      } catch (e) {
        throw isUniqueViolation(e) ? teamNameTaken(name) : e;
      }
    },
    /** What deleting the team takes with it (members are kept, without a team). */
    async teamFootprint(teamId: string): Promise<{ members: number; managers: number; mappings: number }> {
      // One after the other: a transaction is one connection, which runs one query at a time.
      const members = await tx.user.count({ where: { orgId, teamId } });
      const managers = await tx.teamManager.count({ where: { orgId, teamId } });
      const mappings = await tx.groupMapping.count({ where: { orgId, teamId } });
      return { members, managers, mappings };
    },
    async deleteTeam(teamId: string): Promise<void> {
      // Members keep their accounts (teamId is set to null by the foreign key); manager rows and
      // group mappings to the team go with it.
      const { count } = await tx.team.deleteMany({ where: { id: teamId, orgId } });
      if (count !== 1) throw AppError.notFound("Team");
    },
    async isManager(teamId: string, userId: string): Promise<boolean> {
      return (await tx.teamManager.count({ where: { teamId, userId, orgId } })) > 0;
    },
    async addManager(teamId: string, userId: string): Promise<void> {
      await tx.teamManager.create({ data: { teamId, userId, orgId }, select: { teamId: true } });
    },
    async removeManager(teamId: string, userId: string): Promise<boolean> {
      const { count } = await tx.teamManager.deleteMany({ where: { teamId, userId, orgId } });
      return count > 0;
    },

    // Roles
    async findRole(key: string): Promise<RoleRecord | null> {
      const r = await tx.role.findFirst({ where: { orgId, key }, select: roleSelect });
      if (!r) return null;
      const mappingCount = await tx.groupMapping.count({ where: { orgId, roleKey: key } });
      return toRole(r, mappingCount);
    },
    async createRole(input: {
      key: string;
      name: string;
      description: string;
      permissions: string[];
    }): Promise<void> {
      try {
        await tx.role.create({ data: { orgId, ...input, builtIn: false }, select: { id: true } });
      } catch (e) {
        if (isUniqueViolation(e))
          throw new AppError("conflict", `A role with the key “${input.key}” already exists.`, {
            fields: [{ field: "key", message: "already in use" }],
          });
        throw e;
      }
    },
    async updateRole(
      key: string,
      change: { name?: string; description?: string; permissions?: string[] },
    ): Promise<void> {
      // builtIn: false in the WHERE clause: a built-in role row can never be changed here.
      const { count } = await tx.role.updateMany({ where: { orgId, key, builtIn: false }, data: change });
      if (count !== 1) throw AppError.notFound("Role");
    },
    async deleteRole(key: string): Promise<void> {
      try {
        const { count } = await tx.role.deleteMany({ where: { orgId, key, builtIn: false } });
        if (count !== 1) throw AppError.notFound("Role");
      } catch (e) {
        // The foreign key from User.role refuses while anyone holds it (e.g. assigned at an SSO sign-in just now).
        if (prismaErrorCode(e) === "P2003")
          throw new AppError(
            "conflict",
            `The role “${key}” is in use; move its people to another role first.`,
          );
        throw e;
      }
    },

    // Settings
    async getSettings(): Promise<OrgSettingsRecord> {
      const s = await readSettings(tx, orgId);
      if (!s) throw AppError.notFound("Organization");
      return s;
    },
    async listRoleKeys(): Promise<string[]> {
      return (await tx.role.findMany({ where: { orgId }, select: { key: true } })).map((r) => r.key);
    },
    async listTeamIds(): Promise<string[]> {
      return (await tx.team.findMany({ where: { orgId }, select: { id: true } })).map((t) => t.id);
    },
    /**
     * Which of these email domains another org already claims. Deliberately not scoped to this
     * org: a domain must belong to one org only, or SSO provisioning could route new people into
     * the wrong one. It answers only "claimed or not", nothing about the other org. Serialized
     * across orgs by a transaction-level advisory lock.
     */
    async domainsClaimedByOtherOrgs(domains: string[]): Promise<string[]> {
      if (domains.length === 0) return [];
      await tx.$queryRaw`SELECT 1 AS "locked" FROM (SELECT pg_advisory_xact_lock(hashtext('enclave:org-email-domains'))) AS l`;
      const others = await tx.org.findMany({
        where: { id: { not: orgId }, emailDomains: { hasSome: domains } },
        select: { emailDomains: true },
      });
      const claimed = new Set(others.flatMap((o) => o.emailDomains));
      return domains.filter((d) => claimed.has(d));
    },
    async updateOrg(change: {
      emailDomains?: string[];
      verifiedEmailDomains?: string[];
      devLoginEnabled?: boolean;
      auditContent?: "full" | "redacted" | "hashes";
      retentionDays?: number | null;
    }): Promise<void> {
      await tx.org.update({ where: { id: orgId }, data: change, select: { id: true } });
      if (change.auditContent) forgetAuditContentPolicy(orgId);
    },
    async replaceGroupMappings(mappings: GroupMappingRecord[]): Promise<void> {
      await tx.groupMapping.deleteMany({ where: { orgId } });
      if (mappings.length === 0) return;
      await tx.groupMapping.createMany({
        data: mappings.map((m, position) => ({
          orgId,
          group: m.group,
          roleKey: m.roleKey,
          teamId: m.teamId,
          position,
        })),
      });
    },

    /** The audit event of this change, in this transaction: if it cannot be written, nothing is. */
    async audit(
      action: AuditAction,
      target: { type: string; id: string },
      data?: Record<string, unknown>,
    ): Promise<void> {
      await writeAudit(tx, { ...actorOf(p, requestId), action, target, ...(data ? { data } : {}) });
    },
  };
}

export type AdminWriter = ReturnType<typeof writer>;

export function adminRepository(p: Principal) {
  const orgId = p.orgId;
  return {
    /**
     * People of the org. Keyset-paginated: by name (A→Z, then id) or newest first (createdAt,
     * then id), so pages stay stable while people are added.
     */
    async listUsers(q: AdminUserQuery): Promise<Page<AdminUserRecord>> {
      const prisma = await getPrisma();
      const after = q.cursor ? decodeCursor(q.cursor, q.sort) : null;
      const and: Prisma.UserWhereInput[] = [{ orgId }];
      if (q.search) and.push(nameOrEmailContains(q.search));
      if (q.role) and.push({ role: q.role });
      if (q.teamId) and.push({ teamId: q.teamId === "none" ? null : q.teamId });
      if (q.status === "active") and.push({ disabledAt: null });
      if (q.status === "disabled") and.push({ disabledAt: { not: null } });
      if (after?.s === "name")
        and.push({ OR: [{ name: { gt: after.n } }, { name: after.n, id: { gt: after.i } }] });
      if (after?.s === "newest") {
        const c = new Date(after.c);
        and.push({ OR: [{ createdAt: { lt: c } }, { createdAt: c, id: { lt: after.i } }] });
      }
      const rows = await prisma.user.findMany({
        where: { AND: and },
        orderBy:
          q.sort === "name" ? [{ name: "asc" }, { id: "asc" }] : [{ createdAt: "desc" }, { id: "desc" }],
        take: q.limit + 1,
        select: userSelect,
      });
      const items = rows.slice(0, q.limit).map(toAdminUser);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(q.sort, last) : null };
    },

    async getUser(userId: string): Promise<AdminUserRecord | null> {
      const prisma = await getPrisma();
      return readAdminUser(prisma, orgId, userId);
    },

    /** Up to `limit` enabled people matching a name or email fragment, for pickers. */
    async searchPeople(search: string, limit: number): Promise<PersonRecord[]> {
      const prisma = await getPrisma();
      const rows = await prisma.user.findMany({
        where: {
          orgId,
          disabledAt: null,
          ...(search ? nameOrEmailContains(search) : {}),
        },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        take: limit,
        select: personSelect,
      });
      return rows.map(toPerson);
    },

    async listTeams(): Promise<TeamRecord[]> {
      const prisma = await getPrisma();
      const rows = await prisma.team.findMany({
        where: { orgId },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        select: {
          id: true,
          name: true,
          createdAt: true,
          _count: { select: { users: true } },
          managers: { select: { user: { select: personSelect } }, orderBy: { user: { name: "asc" } } },
        },
      });
      return rows.map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: t.createdAt,
        memberCount: t._count.users,
        managers: t.managers.map((m) => toPerson(m.user)),
      }));
    },

    /** Members of one of the org's teams, by name; null when the team is not the org's. */
    async listTeamMembers(teamId: string, limit: number): Promise<PersonRecord[] | null> {
      const prisma = await getPrisma();
      const team = await prisma.team.findFirst({ where: { id: teamId, orgId }, select: { id: true } });
      if (!team) return null;
      const rows = await prisma.user.findMany({
        where: { orgId, teamId },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        take: limit,
        select: personSelect,
      });
      return rows.map(toPerson);
    },

    async listRoles(): Promise<RoleRecord[]> {
      const prisma = await getPrisma();
      return readRoles(prisma, orgId);
    },

    async listTeamOptions(): Promise<Array<{ id: string; name: string }>> {
      const prisma = await getPrisma();
      return prisma.team.findMany({
        where: { orgId },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        select: { id: true, name: true },
      });
    },

    async getSettings(): Promise<OrgSettingsRecord | null> {
      const prisma = await getPrisma();
      return readSettings(prisma, orgId);
    },

    /**
     * Runs `fn` in one interactive transaction, after locking this org's row: admin changes of
     * one org are serialized, so checks made in `fn` hold at commit. Throwing rolls back the
     * change and its audit event together.
     */
    async write<T>(requestId: string | undefined, fn: (w: AdminWriter) => Promise<T>): Promise<T> {
      const prisma = await getPrisma();
      return prisma.$transaction(
        async (tx) => {
          const locked = await tx.$queryRaw<
            Array<{ id: string }>
          >`SELECT "id" FROM "Org" WHERE "id" = ${orgId} FOR UPDATE`;
          if (locked.length !== 1) throw AppError.notFound("Organization");
          return fn(writer(tx, p, requestId));
        },
        { maxWait: 10_000, timeout: 20_000 },
      );
    },
  };
}

export type AdminRepository = ReturnType<typeof adminRepository>;
