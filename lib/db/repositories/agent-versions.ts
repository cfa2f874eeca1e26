import type { Principal } from "@/lib/principal";
import { AppError } from "@/lib/errors/app-error";
import type { Prisma } from "../generated/client";
import { actorOf, writeAudit } from "../audit";
import { getPrisma } from "../database";
import { isUniqueViolation } from "../prisma-errors";
import type { Page } from "../types";

/** The fields a version sets (everything an admin edits). */
export interface AgentVersionValues {
  instructions: string;
  tier: "small" | "large";
  timeoutMs: number;
  enabled: boolean;
  allowedRoles: string[];
}

/** One saved version as the hot path reads it: no names, no times. */
export interface AgentVersionConfig extends AgentVersionValues {
  agentId: string;
  version: number;
}

/** One saved version with who saved it and when, for the console. */
export interface AgentVersionRecord extends AgentVersionConfig {
  /** null when the person's account no longer exists. */
  createdBy: { id: string; name: string } | null;
  createdAt: Date;
  note: string | null;
  /** For a rollback: the version it copied. */
  rolledBackFrom: number | null;
}

export interface SaveAgentVersionInput {
  agentId: string;
  /** The version the admin's edit started from (0: the built-in default); must still be the latest. */
  baseVersion: number;
  values: AgentVersionValues;
  note?: string | null;
  rolledBackFrom?: number | null;
  /** The audit action and what it records besides the versions (the domain decides both). */
  audit: { action: "agent.updated" | "agent.rolled_back"; data: Record<string, unknown> };
  requestId?: string;
}

const select = {
  agentId: true,
  version: true,
  instructions: true,
  tier: true,
  timeoutMs: true,
  enabled: true,
  allowedRoles: true,
  createdAt: true,
  note: true,
  rolledBackFrom: true,
  createdBy: { select: { id: true, name: true } },
} as const satisfies Prisma.AgentVersionSelect;

type Row = Prisma.AgentVersionGetPayload<{ select: typeof select }>;

function toRecord(r: Row): AgentVersionRecord {
  return { ...r, tier: r.tier === "large" ? "large" : "small" };
}

type Client = Prisma.TransactionClient | Awaited<ReturnType<typeof getPrisma>>;

function latestOf(client: Client, orgId: string, agentId: string): Promise<Row | null> {
  return client.agentVersion.findFirst({ where: { orgId, agentId }, orderBy: { version: "desc" }, select });
}

/**
 * The refusal of a save based on an older version: it says who saved the newer one and when, so
 * the admin knows whose work they would have overwritten (nothing was).
 */
export function staleVersionError(agentId: string, baseVersion: number, latest: Row | null): AppError {
  const current = latest?.version ?? 0;
  const who = latest ? (latest.createdBy?.name ?? "someone whose account was since removed") : "nobody";
  const when = latest ? latest.createdAt.toISOString() : null;
  const message = latest
    ? `The ${agentId} agent was changed since you opened it: version ${current} was saved by ${who} at ${when}. ` +
      `Your edit was based on version ${baseVersion}; nothing was overwritten. Reload to see their version.`
    : `The ${agentId} agent has no version ${baseVersion}; its current version is 0 (the built-in default). Reload and try again.`;
  return new AppError("conflict", message, {
    reason: "stale_version",
    fields: [{ field: "baseVersion", message: `is ${baseVersion}, the current version is ${current}` }],
    details: {
      agentId,
      baseVersion,
      currentVersion: current,
      savedBy: latest?.createdBy?.name ?? null,
      savedAt: when,
    },
  });
}

/**
 * The org's saved agent versions (every query carries the principal's orgId: another org's
 * versions do not exist here). Who may change them is the caller's (lib/authz, agent.edit); each
 * save and its audit event commit in one transaction, and a save is refused unless it is based
 * on the latest version (the unique key settles two saves racing from the same one).
 */
export function agentVersionRepository(p: Principal) {
  const orgId = p.orgId;
  return {
    /**
     * The latest saved version of each agent that has one: what a turn runs with. One statement,
     * no names or times (the chat turn's hot path needs none).
     */
    async currentConfigs(): Promise<AgentVersionConfig[]> {
      const prisma = await getPrisma();
      const rows = await prisma.$queryRaw<AgentVersionConfig[]>`
        SELECT DISTINCT ON ("agentId") "agentId", "version", "instructions", "tier", "timeoutMs", "enabled", "allowedRoles"
        FROM "AgentVersion" WHERE "orgId" = ${orgId}
        ORDER BY "agentId", "version" DESC`;
      return rows.map((r) => ({ ...r, tier: r.tier === "large" ? "large" : "small", allowedRoles: r.allowedRoles ?? [] }));
    },

    /** The latest saved version of each agent that has one, with who saved it and when. */
    async listLatest(): Promise<AgentVersionRecord[]> {
      const prisma = await getPrisma();
      const groups = await prisma.agentVersion.groupBy({ by: ["agentId"], where: { orgId }, _max: { version: true } });
      if (groups.length === 0) return [];
      const rows = await prisma.agentVersion.findMany({
        where: { orgId, OR: groups.map((g) => ({ agentId: g.agentId, version: g._max.version ?? 0 })) },
        select,
      });
      return rows.map(toRecord);
    },

    /** One agent's versions, newest first; `before` is the version to continue under (the cursor). */
    async listVersions(agentId: string, opts: { limit: number; before?: number }): Promise<Page<AgentVersionRecord>> {
      const prisma = await getPrisma();
      const limit = Math.max(1, Math.min(100, Math.floor(opts.limit)));
      const rows = await prisma.agentVersion.findMany({
        where: { orgId, agentId, ...(opts.before !== undefined ? { version: { lt: opts.before } } : {}) },
        orderBy: { version: "desc" },
        take: limit + 1,
        select,
      });
      const items = rows.slice(0, limit).map(toRecord);
      const more = rows.length > limit;
      return { items, nextCursor: more ? String(items[items.length - 1]!.version) : null };
    },

    /** One saved version of this org's agent (null: none with that number here). */
    async getVersion(agentId: string, version: number): Promise<AgentVersionRecord | null> {
      const prisma = await getPrisma();
      const row = await prisma.agentVersion.findFirst({ where: { orgId, agentId, version }, select });
      return row ? toRecord(row) : null;
    },

    /** The roles of this org (built-in first, then custom), which an agent may be restricted to. */
    async roles(): Promise<Array<{ key: string; name: string }>> {
      const prisma = await getPrisma();
      return prisma.role.findMany({
        where: { orgId },
        select: { key: true, name: true },
        orderBy: [{ builtIn: "desc" }, { name: "asc" }],
      });
    },

    /**
     * Saves a new version (latest + 1) with its audit event, in one transaction. Refused with 409
     * stale_version, writing nothing, unless `baseVersion` is still the latest.
     */
    async save(input: SaveAgentVersionInput): Promise<AgentVersionRecord> {
      const prisma = await getPrisma();
      const { agentId, baseVersion } = input;
      try {
        return await prisma.$transaction(async (tx) => {
          const latest = await latestOf(tx, orgId, agentId);
          const current = latest?.version ?? 0;
          if (baseVersion !== current) throw staleVersionError(agentId, baseVersion, latest);
          const row = await tx.agentVersion.create({
            data: {
              orgId,
              agentId,
              version: current + 1,
              ...input.values,
              createdById: p.userId,
              note: input.note ?? null,
              rolledBackFrom: input.rolledBackFrom ?? null,
            },
            select,
          });
          await writeAudit(tx, {
            ...actorOf(p, input.requestId),
            action: input.audit.action,
            target: { type: "agent", id: agentId },
            data: { ...input.audit.data, agentId, fromVersion: current, version: row.version },
          });
          return toRecord(row);
        });
      } catch (e) {
        // Another save from the same base committed between our read and our insert.
        if (isUniqueViolation(e)) throw staleVersionError(agentId, baseVersion, await latestOf(prisma, orgId, agentId));
        throw e;
      }
    },
  };
}

export type AgentVersionRepository = ReturnType<typeof agentVersionRepository>;
