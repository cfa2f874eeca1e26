import { z } from "zod";
import { sha256 } from "@/lib/audit-record/canonical";
import { contentFor } from "@/lib/audit-record/redact";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { actorOf, auditContentPolicy, writeAudit } from "../audit";
import { getPrisma } from "../database";
import type { Prisma } from "../generated/client";
import { ownerScope } from "../scope";
import type { Page } from "../types";

/** One memory as lib/memory hands it out. */
export interface MemoryRecord {
  id: string;
  text: string;
  sourceConversationId: string | null;
  origin: "user" | "agent";
  status: "active" | "proposed";
  createdAt: Date;
  updatedAt: Date;
}

export interface MemoryHit {
  id: string;
  text: string;
  rank: number;
}

export interface PreferencesRecord {
  memoryEnabled: boolean;
  memorySaveMode: "explicit" | "automatic";
  language: string | null;
  tone: string | null;
  defaultTier: "small" | "large";
  updatedAt: Date | null;
}

export const DEFAULT_PREFERENCES: PreferencesRecord = {
  memoryEnabled: true,
  memorySaveMode: "explicit",
  language: null,
  tone: null,
  defaultTier: "large",
  updatedAt: null,
};

const select = {
  id: true,
  text: true,
  sourceConversationId: true,
  origin: true,
  status: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.MemorySelect;

const prefSelect = {
  memoryEnabled: true,
  memorySaveMode: true,
  language: true,
  tone: true,
  defaultTier: true,
  updatedAt: true,
} as const satisfies Prisma.UserPreferenceSelect;

const CursorSchema = z.object({ u: z.iso.datetime(), i: z.string().min(1).max(128) });

function encodeCursor(m: MemoryRecord): string {
  return Buffer.from(JSON.stringify({ u: m.updatedAt.toISOString(), i: m.id })).toString("base64url");
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const parsed = CursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { updatedAt: new Date(parsed.u), id: parsed.i };
  } catch {
    throw new AppError("bad_request", "Invalid cursor: pass back the nextCursor value from a previous page.", {
      fields: [{ field: "cursor", message: "not a cursor this API issued" }],
    });
  }
}

// Words too common to say anything about what a memory is about (the 'simple' configuration
// keeps every word, so "I" or "the" would otherwise make every memory match every request).
const STOP_WORDS = new Set(
  ("a an and are as at be but by can could do does for from had has have how i if in into is it its me my of on or our " +
    "please should so than that the their them then there these they this to us was we were what when where which who " +
    "why will with would you your").split(" "),
);
const MAX_TERMS = 16;

/**
 * The words of `text` as tsquery terms: letters and digits only (nothing anyone writes can be
 * tsquery syntax), lower-cased, stop words and single letters left out, each a prefix ("unit"
 * finds "units"). Empty when nothing searchable is left.
 */
export function queryTerms(text: string): string[] {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1 && w.length <= 64 && !STOP_WORDS.has(w));
  return [...new Set(words)].slice(0, MAX_TERMS);
}

/** Memory text and preferences as the org's audit content policy allows. */
async function memoryContent(orgId: string, text: Record<string, string>): Promise<Record<string, string> | null> {
  const policy = await auditContentPolicy(orgId);
  if (policy === "hashes") return null;
  return Object.fromEntries(Object.entries(text).map(([k, v]) => [k, contentFor(policy, v) ?? ""]));
}

/**
 * The principal's own long-term memories and preferences. Every query has the principal's org
 * and user in its WHERE clause (another user's memory id matches nothing, like a missing one);
 * each change writes its audit event in the same transaction.
 */
export function memoryRepository(p: Principal) {
  const scope = ownerScope(p);

  async function audited<T>(
    run: (tx: Prisma.TransactionClient) => Promise<{ result: T; event: Parameters<typeof writeAudit>[1] } | { result: T; event: null }>,
  ): Promise<T> {
    const prisma = await getPrisma();
    return prisma.$transaction(async (tx) => {
      const { result, event } = await run(tx);
      if (event) await writeAudit(tx, event);
      return result;
    });
  }

  return {
    /** Newest change first, keyset-paginated; `query` keeps those containing it (any case). */
    async list(q: { limit: number; cursor?: string | null; status?: "active" | "proposed"; query?: string }): Promise<Page<MemoryRecord>> {
      const prisma = await getPrisma();
      const after = q.cursor ? decodeCursor(q.cursor) : null;
      const and: Prisma.MemoryWhereInput[] = [];
      if (q.status) and.push({ status: q.status });
      if (q.query) and.push({ text: { contains: q.query, mode: "insensitive" } });
      if (after) and.push({ OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, id: { lt: after.id } }] });
      const rows = await prisma.memory.findMany({
        where: { ...scope, AND: and },
        orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
        take: q.limit + 1,
        select,
      });
      const items = rows.slice(0, q.limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
    },

    /** One of mine with this text, ignoring case (an agent proposing what I already have). */
    async findSameText(text: string): Promise<MemoryRecord | null> {
      const prisma = await getPrisma();
      return prisma.memory.findFirst({ where: { ...scope, text: { equals: text, mode: "insensitive" } }, select });
    },

    async getById(id: string): Promise<MemoryRecord | null> {
      const prisma = await getPrisma();
      return prisma.memory.findFirst({ where: { id, ...scope }, select });
    },

    /**
     * My active memories that bear on `text`, best first: PostgreSQL full-text search with the
     * built-in 'simple' configuration (PGlite and PostgreSQL alike, no extension). A memory
     * matches when it shares any term with the request (OR of prefixes), and ranks higher the
     * more it shares: ts_rank over the OR query plus, doubled, over all the terms together.
     */
    async recall(text: string, limit: number): Promise<MemoryHit[]> {
      const terms = queryTerms(text);
      if (terms.length === 0) return [];
      const any = terms.map((t) => `${t}:*`).join(" | ");
      const all = terms.map((t) => `${t}:*`).join(" & ");
      const prisma = await getPrisma();
      const rows = await prisma.$queryRaw<Array<{ id: string; text: string; rank: number | string }>>`
        WITH q AS (SELECT to_tsquery('simple', ${any}) AS anyq, to_tsquery('simple', ${all}) AS allq)
        SELECT m."id", m."text",
               (ts_rank(to_tsvector('simple', m."text"), q.anyq) + 2 * ts_rank(to_tsvector('simple', m."text"), q.allq))::float8 AS "rank"
        FROM "Memory" m, q
        WHERE m."orgId" = ${scope.orgId} AND m."userId" = ${scope.userId} AND m."status" = 'active'
          AND to_tsvector('simple', m."text") @@ q.anyq
        ORDER BY "rank" DESC, m."updatedAt" DESC, m."id" DESC
        LIMIT ${limit}`;
      return rows.map((r) => ({ id: r.id, text: r.text, rank: Number(r.rank) }));
    },

    async create(
      row: { text: string; origin: "user" | "agent"; status: "active" | "proposed"; sourceConversationId: string | null },
      opts: { requestId?: string } = {},
    ): Promise<MemoryRecord> {
      const content = await memoryContent(p.orgId, { text: row.text });
      return audited(async (tx) => {
        const created = await tx.memory.create({ data: { ...scope, ...row }, select });
        return {
          result: created,
          event: {
            ...actorOf(p, opts.requestId),
            action: row.status === "proposed" ? "memory.proposed" : "memory.added",
            target: { type: "memory", id: created.id },
            inputHash: sha256(row.text),
            content,
            data: { origin: row.origin, status: row.status, sourceConversationId: row.sourceConversationId, via: p.via },
          },
        };
      });
    },

    /** Null when the id names no memory of mine. */
    async update(
      id: string,
      change: { text?: string; status?: "active" },
      opts: { requestId?: string; action: "memory.edited" | "memory.accepted" },
    ): Promise<MemoryRecord | null> {
      const content = change.text !== undefined ? await memoryContent(p.orgId, { to: change.text }) : null;
      return audited(async (tx) => {
        const before = await tx.memory.findFirst({ where: { id, ...scope }, select });
        if (!before) return { result: null, event: null };
        // updateMany keeps the scope in the WHERE clause (update() takes unique keys only).
        const { count } = await tx.memory.updateMany({ where: { id, ...scope }, data: change });
        if (count === 0) return { result: null, event: null };
        const after = await tx.memory.findFirst({ where: { id, ...scope }, select });
        return {
          result: after,
          event: {
            ...actorOf(p, opts.requestId),
            action: opts.action,
            target: { type: "memory", id },
            inputHash: sha256(before.text),
            outputHash: after ? sha256(after.text) : null,
            content,
            data: { from: before.status, to: after?.status ?? null, via: p.via },
          },
        };
      });
    },

    /** Deletes one of mine (a rejected proposal is a deletion too); false when it is not mine. */
    async remove(id: string, opts: { requestId?: string; action: "memory.deleted" | "memory.rejected"; onlyStatus?: "proposed" }): Promise<boolean> {
      return audited(async (tx) => {
        const before = await tx.memory.findFirst({ where: { id, ...scope, ...(opts.onlyStatus ? { status: opts.onlyStatus } : {}) }, select });
        if (!before) return { result: false, event: null };
        const { count } = await tx.memory.deleteMany({ where: { id, ...scope } });
        if (count === 0) return { result: false, event: null };
        return {
          result: true,
          event: {
            ...actorOf(p, opts.requestId),
            action: opts.action,
            target: { type: "memory", id },
            inputHash: sha256(before.text),
            data: { origin: before.origin, status: before.status, via: p.via },
          },
        };
      });
    },

    /** My preferences; the defaults when I never saved any. */
    async preferences(): Promise<PreferencesRecord> {
      const prisma = await getPrisma();
      const row = await prisma.userPreference.findFirst({ where: scope, select: prefSelect });
      return row ?? DEFAULT_PREFERENCES;
    },

    async savePreferences(next: Omit<PreferencesRecord, "updatedAt">, opts: { requestId?: string } = {}): Promise<PreferencesRecord> {
      return audited(async (tx) => {
        const before = (await tx.userPreference.findFirst({ where: scope, select: prefSelect })) ?? DEFAULT_PREFERENCES;
        // The row's key is the user id; org and user are both written, and the existing row is
        // only ever found through both.
        const saved = before.updatedAt
          ? (await tx.userPreference.updateMany({ where: scope, data: next }), await tx.userPreference.findFirstOrThrow({ where: scope, select: prefSelect }))
          : await tx.userPreference.create({ data: { ...scope, ...next }, select: prefSelect });
        const changed = (Object.keys(next) as Array<keyof typeof next>).filter((k) => before[k] !== saved[k]);
        return {
          result: saved,
          event:
            changed.length === 0
              ? null
              : {
                  ...actorOf(p, opts.requestId),
                  action: "preferences.changed",
                  target: { type: "user", id: p.userId },
                  // Language and tone are the user's own words: kept out of `data`.
                  data: {
                    changed,
                    ...Object.fromEntries(
                      changed.filter((k) => k !== "language" && k !== "tone").map((k) => [k, { from: before[k], to: saved[k] }]),
                    ),
                  },
                },
        };
      });
    },
  };
}

export type MemoryRepository = ReturnType<typeof memoryRepository>;
