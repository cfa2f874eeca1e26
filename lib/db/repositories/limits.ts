import type { Principal } from "@/lib/principal";
import { actorOf, writeAudit } from "../audit";
import { getPrisma } from "../database";

export type LimitScope = "role" | "team" | "user";

/** The fields an override may set; null inherits from the level below. */
export interface LimitOverrideValues {
  userRpm: number | null;
  userTpm: number | null;
  maxConcurrentTurns: number | null;
}

export interface LimitOverrideRecord extends LimitOverrideValues {
  id: string;
  scope: LimitScope;
  subjectId: string;
  /** The role's name, the team's name or the user's name and email; null when it no longer exists. */
  subjectName: string | null;
  updatedById: string | null;
  updatedAt: Date;
}

const select = {
  id: true,
  scope: true,
  subjectId: true,
  userRpm: true,
  userTpm: true,
  maxConcurrentTurns: true,
  updatedById: true,
  updatedAt: true,
} as const;

type Row = { id: string; scope: string; subjectId: string; updatedById: string | null; updatedAt: Date } & LimitOverrideValues;

const values = (r: LimitOverrideValues): LimitOverrideValues => ({ userRpm: r.userRpm, userTpm: r.userTpm, maxConcurrentTurns: r.maxConcurrentTurns });

/**
 * The admission limit overrides of the principal's org (every query carries its orgId). Who may
 * change them is decided by the caller (lib/authz, budget.manage); each change and its audit
 * event commit in one transaction.
 */
export function limitRepository(p: Principal) {
  const orgId = p.orgId;
  return {
    /** Every override of the org, as admission reads it (no names: the hot path needs none). */
    async listOverrides(): Promise<Array<Omit<LimitOverrideRecord, "subjectName">>> {
      const prisma = await getPrisma();
      const rows = await prisma.limitOverride.findMany({ where: { orgId }, select, orderBy: [{ scope: "asc" }, { subjectId: "asc" }] });
      return rows.map((r: Row) => ({ ...r, scope: r.scope as LimitScope }));
    },

    /** Every override with the name of what it applies to, for the console. */
    async listOverridesNamed(): Promise<LimitOverrideRecord[]> {
      const prisma = await getPrisma();
      const rows = await prisma.limitOverride.findMany({ where: { orgId }, select, orderBy: [{ scope: "asc" }, { subjectId: "asc" }] });
      const ids = (s: string) => rows.filter((r: Row) => r.scope === s).map((r: Row) => r.subjectId);
      const [roles, teams, users] = await Promise.all([
        prisma.role.findMany({ where: { orgId, key: { in: ids("role") } }, select: { key: true, name: true } }),
        prisma.team.findMany({ where: { orgId, id: { in: ids("team") } }, select: { id: true, name: true } }),
        prisma.user.findMany({ where: { orgId, id: { in: ids("user") } }, select: { id: true, name: true, email: true } }),
      ]);
      const names = new Map<string, string>([
        ...roles.map((r: { key: string; name: string }) => [`role:${r.key}`, r.name] as [string, string]),
        ...teams.map((t: { id: string; name: string }) => [`team:${t.id}`, t.name] as [string, string]),
        ...users.map((u: { id: string; name: string; email: string }) => [`user:${u.id}`, `${u.name} <${u.email}>`] as [string, string]),
      ]);
      return rows.map((r: Row) => ({ ...r, scope: r.scope as LimitScope, subjectName: names.get(`${r.scope}:${r.subjectId}`) ?? null }));
    },

    /** A user of this org by id or email (another org's answers null). */
    async findUserId(idOrEmail: string): Promise<string | null> {
      const prisma = await getPrisma();
      const where = idOrEmail.includes("@") ? { orgId, email: idOrEmail.toLowerCase() } : { orgId, id: idOrEmail };
      return (await prisma.user.findFirst({ where, select: { id: true } }))?.id ?? null;
    },

    /** The org's roles and teams, for the console's pickers. */
    async subjects(): Promise<{ roles: Array<{ key: string; name: string }>; teams: Array<{ id: string; name: string }> }> {
      const prisma = await getPrisma();
      const [roles, teams] = await Promise.all([
        prisma.role.findMany({ where: { orgId }, select: { key: true, name: true }, orderBy: { name: "asc" } }),
        prisma.team.findMany({ where: { orgId }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
      ]);
      return { roles, teams };
    },

    /** Whether the role, team or user exists in this org (another org's id answers false). */
    async subjectExists(scope: LimitScope, subjectId: string): Promise<boolean> {
      const prisma = await getPrisma();
      if (scope === "role") return (await prisma.role.count({ where: { orgId, key: subjectId } })) > 0;
      if (scope === "team") return (await prisma.team.count({ where: { orgId, id: subjectId } })) > 0;
      return (await prisma.user.count({ where: { orgId, id: subjectId } })) > 0;
    },

    /** Creates or replaces the override for one subject, with its limit.set audit event. */
    async setOverride(scope: LimitScope, subjectId: string, next: LimitOverrideValues, opts: { requestId?: string } = {}): Promise<Omit<LimitOverrideRecord, "subjectName">> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const key = { orgId_scope_subjectId: { orgId, scope, subjectId } };
        const before = await tx.limitOverride.findUnique({ where: key, select });
        const row = await tx.limitOverride.upsert({
          where: key,
          create: { orgId, scope, subjectId, ...next, updatedById: p.userId },
          update: { ...next, updatedById: p.userId },
          select,
        });
        await writeAudit(tx, {
          ...actorOf(p, opts.requestId),
          action: "limit.set",
          target: { type: "limit_override", id: row.id },
          data: { scope, subjectId, from: before ? values(before) : null, to: values(row) },
        });
        return { ...row, scope: row.scope as LimitScope };
      });
    },

    /** Removes an override of this org (false: none with that id here), with its limit.removed event. */
    async removeOverride(id: string, opts: { requestId?: string } = {}): Promise<boolean> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const before = await tx.limitOverride.findFirst({ where: { id, orgId }, select });
        if (!before) return false;
        await tx.limitOverride.deleteMany({ where: { id, orgId } });
        await writeAudit(tx, {
          ...actorOf(p, opts.requestId),
          action: "limit.removed",
          target: { type: "limit_override", id },
          data: { scope: before.scope, subjectId: before.subjectId, from: values(before) },
        });
        return true;
      });
    },
  };
}
