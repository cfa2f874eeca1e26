import { z } from "zod";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import type { Prisma } from "../generated/client";
import { actorOf, writeAudit } from "../audit";
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";
import { getPrisma } from "../database";
import { withCipher } from "../keyring";
import { seal } from "../sealed-columns";
import type { Page } from "../types";

/**
 * The audit console's reads, bound to the principal's org: every query has `orgId =
 * principal.orgId` in its WHERE clause, so another org's event id, request id or actor matches
 * nothing, exactly like a missing one. Who may call these (audit.read) is decided at the entry
 * point and again in lib/audit/console.ts. Writing the chain itself (steps, sealing,
 * checkpoints) is system work in lib/db/audit.ts and lib/db/audit-chain.ts.
 *
 * Rows are handed out as plain DTOs: ids and BigInts as strings, dates as ISO-8601.
 */

// ─── Shapes handed out ──────────────────────────────────────────────────────────────────────────

export interface AuditActor {
  id: string;
  name: string;
  email: string;
}

export interface AuditEventSummary {
  id: string;
  /** Insertion order (the console lists newest first by it). */
  pos: string;
  /** Place in the org's chain; null until sealed. */
  seq: string | null;
  createdAt: string;
  /** null: the system (e.g. an SSO sign-in applying group mappings). */
  actorId: string | null;
  /** The acting person, if they are (still) a person of this org. */
  actor: AuditActor | null;
  sessionId: string | null;
  requestId: string | null;
  action: string;
  target: { type: string; id: string } | null;
  outcome: string;
  latencyMs: number | null;
  sealed: boolean;
}

export interface AuditEventRecord extends AuditEventSummary {
  orgId: string;
  inputHash: string | null;
  outputHash: string | null;
  /** What was said, as the org's content policy allowed when the event was written. */
  content: unknown;
  data: unknown;
  sealedAt: string | null;
  prevHash: string | null;
  hash: string | null;
}

/** One step of a request's timeline: the summary plus its structured detail (model, tool, …). */
export interface AuditTimelineItem extends AuditEventSummary {
  data: unknown;
}

export interface AuditListFilters {
  /** A person's id, or null for events the system recorded. */
  actorId?: string | null;
  /**
   * One action or several (any of them). A term ending in "." or "*" is a prefix ("chat.",
   * "user.*"); anything else must match exactly.
   */
  action?: string | readonly string[];
  /** Events about this conversation (targetType "conversation"). */
  conversationId?: string;
  outcome?: string;
  /** createdAt ≥ from. */
  from?: Date;
  /** createdAt < to. */
  to?: Date;
}

export interface AuditListQuery extends AuditListFilters {
  cursor?: string | null;
  limit: number;
}

// ─── Cursor ─────────────────────────────────────────────────────────────────────────────────────

const CursorSchema = z.object({ p: z.string().regex(/^\d{1,20}$/) });

function encodeCursor(pos: bigint): string {
  return Buffer.from(JSON.stringify({ p: pos.toString() })).toString("base64url");
}

function decodeCursor(cursor: string): bigint {
  try {
    return BigInt(CursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))).p);
  } catch {
    throw new AppError(
      "bad_request",
      "Invalid cursor: pass back the nextCursor value from a previous page.",
      {
        fields: [{ field: "cursor", message: "not a cursor this API issued" }],
      },
    );
  }
}

// ─── Where-builder: the org is always in it ─────────────────────────────────────────────────────

export function isActionPrefix(term: string): boolean {
  return term.endsWith(".") || term.endsWith("*");
}

function actionWhere(term: string): Prisma.AuditEventWhereInput {
  if (!isActionPrefix(term)) return { action: term };
  return { action: { startsWith: term.replace(/\*+$/, "") } };
}

function whereOf(p: Principal, f: AuditListFilters, beforePos?: bigint): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (f.actorId !== undefined) and.push({ actorId: f.actorId });
  const actions = typeof f.action === "string" ? [f.action] : (f.action ?? []);
  if (actions.length > 0) and.push({ OR: actions.map(actionWhere) });
  if (f.conversationId !== undefined) and.push({ targetType: "conversation", targetId: f.conversationId });
  if (f.outcome !== undefined) and.push({ outcome: f.outcome });
  if (f.from || f.to)
    and.push({ createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } });
  if (beforePos !== undefined) and.push({ pos: { lt: beforePos } });
  return { orgId: p.orgId, AND: and };
}

// ─── Selects and mapping ────────────────────────────────────────────────────────────────────────

const summarySelect = {
  id: true,
  pos: true,
  seq: true,
  createdAt: true,
  actorId: true,
  sessionId: true,
  requestId: true,
  action: true,
  targetType: true,
  targetId: true,
  outcome: true,
  latencyMs: true,
  hash: true,
} as const satisfies Prisma.AuditEventSelect;

const fullSelect = {
  ...summarySelect,
  orgId: true,
  inputHash: true,
  outputHash: true,
  content: true,
  data: true,
  sealedAt: true,
  prevHash: true,
} as const satisfies Prisma.AuditEventSelect;

const timelineSelect = { ...summarySelect, data: true } as const satisfies Prisma.AuditEventSelect;

type SummaryRow = Prisma.AuditEventGetPayload<{ select: typeof summarySelect }>;
type FullRow = Prisma.AuditEventGetPayload<{ select: typeof fullSelect }>;
type TimelineRow = Prisma.AuditEventGetPayload<{ select: typeof timelineSelect }>;

function toSummary(r: SummaryRow, actors: Map<string, AuditActor>): AuditEventSummary {
  return {
    id: r.id,
    pos: r.pos.toString(),
    seq: r.seq === null ? null : r.seq.toString(),
    createdAt: r.createdAt.toISOString(),
    actorId: r.actorId,
    actor: r.actorId ? (actors.get(r.actorId) ?? null) : null,
    sessionId: r.sessionId,
    requestId: r.requestId,
    action: r.action,
    target: r.targetType && r.targetId ? { type: r.targetType, id: r.targetId } : null,
    outcome: r.outcome,
    latencyMs: r.latencyMs,
    sealed: r.hash !== null,
  };
}

function toRecord(r: FullRow, actors: Map<string, AuditActor>, cipher: ContentCipher): AuditEventRecord {
  return {
    ...toSummary(r, actors),
    orgId: r.orgId,
    inputHash: r.inputHash,
    outputHash: r.outputHash,
    content: r.content == null ? null : cipher.openJson(r.content, seal.auditContent()),
    data: r.data ?? null,
    sealedAt: r.sealedAt ? r.sealedAt.toISOString() : null,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

export function auditRepository(p: Principal) {
  /** The org's people among these actor ids (anyone else stays a bare id). */
  async function actorsOf(rows: ReadonlyArray<{ actorId: string | null }>): Promise<Map<string, AuditActor>> {
    const ids = [...new Set(rows.flatMap((r) => (r.actorId ? [r.actorId] : [])))];
    if (ids.length === 0) return new Map();
    const prisma = await getPrisma();
    const users = await prisma.user.findMany({
      where: { orgId: p.orgId, id: { in: ids } },
      select: { id: true, name: true, email: true },
    });
    return new Map(users.map((u) => [u.id, u]));
  }

  async function page<S extends typeof summarySelect | typeof fullSelect>(
    q: AuditListQuery,
    select: S,
  ): Promise<{ rows: Array<Prisma.AuditEventGetPayload<{ select: S }>>; nextCursor: string | null }> {
    const prisma = await getPrisma();
    const before = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = (await prisma.auditEvent.findMany({
      where: whereOf(p, q, before),
      orderBy: { pos: "desc" },
      take: q.limit + 1,
      select,
    })) as Array<Prisma.AuditEventGetPayload<{ select: S }>>;
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1] as { pos: bigint } | undefined;
    return { rows: items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.pos) : null };
  }

  return {
    /** Newest first (by insertion order), keyset-paginated: stable while new events arrive. */
    async list(q: AuditListQuery): Promise<Page<AuditEventSummary>> {
      const { rows, nextCursor } = await page(q, summarySelect);
      const actors = await actorsOf(rows);
      return { items: rows.map((r) => toSummary(r, actors)), nextCursor };
    },

    /** One event with everything recorded about it; null if it is not this org's. */
    async get(id: string): Promise<AuditEventRecord | null> {
      const prisma = await getPrisma();
      const r = await prisma.auditEvent.findFirst({ where: { id, orgId: p.orgId }, select: fullSelect });
      if (!r) return null;
      const actors = await actorsOf([r]);
      return withCipher(p.orgId, (c) => toRecord(r, actors, c));
    },

    /** Every event of one request (e.g. the steps of a chat turn), in the order they happened. */
    async timeline(requestId: string, limit = 1000): Promise<AuditTimelineItem[]> {
      const prisma = await getPrisma();
      const rows: TimelineRow[] = await prisma.auditEvent.findMany({
        where: { orgId: p.orgId, requestId },
        orderBy: [{ createdAt: "asc" }, { pos: "asc" }],
        take: limit,
        select: timelineSelect,
      });
      const actors = await actorsOf(rows);
      return rows.map((r) => ({ ...toSummary(r, actors), data: r.data ?? null }));
    },

    /** People of the org who appear as actors in its trail, by name (for the console's user filter). */
    async actors(): Promise<AuditActor[]> {
      const prisma = await getPrisma();
      const groups = await prisma.auditEvent.groupBy({
        by: ["actorId"],
        where: { orgId: p.orgId, actorId: { not: null } },
      });
      const ids = groups.flatMap((g) => (g.actorId ? [g.actorId] : []));
      if (ids.length === 0) return [];
      return prisma.user.findMany({
        where: { orgId: p.orgId, id: { in: ids } },
        select: { id: true, name: true, email: true },
        orderBy: [{ name: "asc" }, { email: "asc" }],
      });
    },

    /**
     * Every matching event with all its fields, newest first, one batch (array) at a time: the
     * keyset cursor is walked lazily, so an export never holds more than one batch in memory.
     */
    async *exportRows(
      filters: AuditListFilters,
      batchSize = 500,
    ): AsyncGenerator<AuditEventRecord[], void, undefined> {
      let cursor: string | null = null;
      do {
        const { rows, nextCursor }: { rows: FullRow[]; nextCursor: string | null } = await page(
          { ...filters, cursor, limit: batchSize },
          fullSelect,
        );
        if (rows.length > 0) {
          const actors = await actorsOf(rows);
          yield await withCipher(p.orgId, (c) => rows.map((r) => toRecord(r, actors, c)));
        }
        cursor = nextCursor;
      } while (cursor);
    },

    /** The org's name and slug (export file names). */
    async org(): Promise<{ id: string; name: string; slug: string }> {
      const prisma = await getPrisma();
      const org = await prisma.org.findUnique({
        where: { id: p.orgId },
        select: { id: true, name: true, slug: true },
      });
      if (!org) throw AppError.notFound("Organization");
      return org;
    },

    /** Records what the principal did with the trail itself (an export, a verification). */
    async record(
      action: "audit.exported" | "audit.verified",
      opts: { requestId?: string; outcome?: "success" | "failure"; data: Record<string, unknown> },
    ): Promise<void> {
      const prisma = await getPrisma();
      await writeAudit(prisma, {
        ...actorOf(p, opts.requestId),
        action,
        target: { type: "org", id: p.orgId },
        outcome: opts.outcome ?? "success",
        data: opts.data,
      });
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
