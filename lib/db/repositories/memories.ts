import { z } from "zod";
import { sha256 } from "@/lib/audit-record/canonical";
import { contentFor } from "@/lib/audit-record/redact";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { actorOf, auditContentPolicy, writeAudit } from "../audit";
import { words } from "@/lib/privacy/encryption/blind-index";
import { matchedCount } from "@/lib/privacy/encryption/text-match";
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";
import { getPrisma } from "../database";
import type { Prisma } from "../generated/client";
import { withCipher } from "../keyring";
import { seal } from "../sealed-columns";
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
 * The words of a request that recall looks up: normalized as the blind index normalizes them
 * (lib/privacy/encryption/blind-index), stop words left out. Empty when nothing searchable is left.
 */
export function queryTerms(text: string): string[] {
  return [...new Set(words(text).filter((w) => !STOP_WORDS.has(w)))].slice(0, MAX_TERMS);
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
  const ctx = seal.memory(p.userId);
  const opened = (c: ContentCipher) => <R extends { text: string }>(r: R): R => ({ ...r, text: c.open(r.text, ctx) });
  /** The stored form of a memory's text: sealed, with its blind index. */
  const sealed = (c: ContentCipher, text: string) => ({ text: c.seal(text, ctx), terms: c.indexTerms(text) });
  const openPrefs = (c: ContentCipher, r: PreferencesRecord): PreferencesRecord => ({
    ...r,
    language: c.openNullable(r.language, seal.language(p.userId)),
    tone: c.openNullable(r.tone, seal.tone(p.userId)),
  });

  // A key version this process has not loaded yet throws before anything commits; withCipher
  // then runs the whole transaction again with the reloaded keyring.
  async function audited<T>(
    run: (tx: Prisma.TransactionClient, c: ContentCipher) => Promise<{ result: T; event: Parameters<typeof writeAudit>[1] } | { result: T; event: null }>,
  ): Promise<T> {
    const prisma = await getPrisma();
    return withCipher(p.orgId, (c) =>
      prisma.$transaction(async (tx) => {
        const { result, event } = await run(tx, c);
        if (event) await writeAudit(tx, event);
        return result;
      }),
    );
  }

  return {
    /**
     * Newest change first, keyset-paginated; `query` keeps those holding every word of it (a
     * word of 3–8 letters also as the start of a longer one), looked up in the blind index.
     */
    async list(q: { limit: number; cursor?: string | null; status?: "active" | "proposed"; query?: string }): Promise<Page<MemoryRecord>> {
      const prisma = await getPrisma();
      return withCipher(p.orgId, async (c) => {
      const after = q.cursor ? decodeCursor(q.cursor) : null;
      const and: Prisma.MemoryWhereInput[] = [];
      if (q.status) and.push({ status: q.status });
      const searched = q.query ? [...new Set(words(q.query))] : [];
      if (searched.length > 0) {
        and.push({
          OR: [
            { terms: { hasEvery: searched.map((w) => c.queryTerm(w)) } },
            // Written before encryption and not yet re-encrypted (keys:rotate --reencrypt): plaintext.
            { NOT: { text: { startsWith: "enc1." } }, text: { contains: q.query, mode: "insensitive" } },
          ],
        });
      }
      if (after) and.push({ OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, id: { lt: after.id } }] });
      const rows = await prisma.memory.findMany({
        where: { ...scope, AND: and },
        orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
        take: q.limit + 1,
        select,
      });
      const items = rows.slice(0, q.limit).map(opened(c));
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
      });
    },

    /** One of mine with this text, ignoring case (an agent proposing what I already have). */
    async findSameText(text: string): Promise<MemoryRecord | null> {
      const prisma = await getPrisma();
      return withCipher(p.orgId, async (c) => {
        // Equal words give equal index entries: those are the candidates, compared once opened.
        const candidates = await prisma.memory.findMany({
          where: { ...scope, OR: [{ terms: { hasEvery: c.indexTerms(text) } }, { text: { equals: text, mode: "insensitive" } }] },
          orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
          take: 50,
          select,
        });
        const wanted = text.toLowerCase();
        return candidates.map(opened(c)).find((m) => m.text.toLowerCase() === wanted) ?? null;
      });
    },

    async getById(id: string): Promise<MemoryRecord | null> {
      const prisma = await getPrisma();
      const row = await prisma.memory.findFirst({ where: { id, ...scope }, select });
      return row && withCipher(p.orgId, (c) => opened(c)(row));
    },

    /**
     * My active memories that bear on `text`, best first. The text is encrypted, so PostgreSQL
     * full-text search cannot read it: recall looks the request's words up in each memory's
     * blind index (keyed hashes of its words and word prefixes, lib/privacy/encryption), the
     * same on PGlite and PostgreSQL. A memory matches when it shares any word with the request
     * ("unit" finds "units"), ranks higher the more it shares, and highest when it has them all.
     */
    async recall(text: string, limit: number): Promise<MemoryHit[]> {
      const terms = queryTerms(text);
      if (terms.length === 0) return [];
      const prisma = await getPrisma();
      return withCipher(p.orgId, async (c) => {
        const hashes = terms.map((t) => c.queryTerm(t));
        // The index finds the candidates (and memories stored before encryption, which have
        // none, come along); they are ranked once opened, by the same matching rule.
        const rows = await prisma.$queryRaw<Array<{ id: string; text: string; updatedAt: Date }>>`
          SELECT m."id", m."text", m."updatedAt"
          FROM "Memory" m
          WHERE m."orgId" = ${scope.orgId} AND m."userId" = ${scope.userId} AND m."status" = 'active'
            AND (m."terms" && ${hashes}::text[] OR m."text" NOT LIKE 'enc1.%')
          ORDER BY (SELECT count(*) FROM unnest(${hashes}::text[]) AS q(h) WHERE q.h = ANY(m."terms")) DESC, m."updatedAt" DESC, m."id" DESC
          LIMIT 200`;
        const hits: Array<MemoryHit & { at: number }> = [];
        for (const r of rows) {
          const plain = c.open(r.text, ctx);
          const matched = matchedCount(terms, plain);
          if (matched === 0) continue;
          hits.push({ id: r.id, text: plain, rank: matched / terms.length + (matched === terms.length ? 2 : 0), at: new Date(r.updatedAt).getTime() });
        }
        return hits
          .sort((x, y) => y.rank - x.rank || y.at - x.at)
          .slice(0, limit)
          .map(({ id, text, rank }) => ({ id, text, rank }));
      });
    },

    async create(
      row: { text: string; origin: "user" | "agent"; status: "active" | "proposed"; sourceConversationId: string | null },
      opts: { requestId?: string } = {},
    ): Promise<MemoryRecord> {
      const content = await memoryContent(p.orgId, { text: row.text });
      return audited(async (tx, c) => {
        const created = await tx.memory.create({ data: { ...scope, ...row, ...sealed(c, row.text) }, select });
        return {
          result: { ...created, text: row.text },
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
      return audited(async (tx, c) => {
        const stored = await tx.memory.findFirst({ where: { id, ...scope }, select });
        if (!stored) return { result: null, event: null };
        const before = opened(c)(stored);
        const data = { ...(change.status ? { status: change.status } : {}), ...(change.text !== undefined ? sealed(c, change.text) : {}) };
        // updateMany keeps the scope in the WHERE clause (update() takes unique keys only).
        const { count } = await tx.memory.updateMany({ where: { id, ...scope }, data });
        if (count === 0) return { result: null, event: null };
        const row = await tx.memory.findFirst({ where: { id, ...scope }, select });
        const after = row && opened(c)(row);
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
      return audited(async (tx, c) => {
        const stored = await tx.memory.findFirst({ where: { id, ...scope, ...(opts.onlyStatus ? { status: opts.onlyStatus } : {}) }, select });
        if (!stored) return { result: false, event: null };
        const before = opened(c)(stored);
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
      return row ? withCipher(p.orgId, (c) => openPrefs(c, row)) : DEFAULT_PREFERENCES;
    },

    async savePreferences(next: Omit<PreferencesRecord, "updatedAt">, opts: { requestId?: string } = {}): Promise<PreferencesRecord> {
      return audited(async (tx, c) => {
        const stored = await tx.userPreference.findFirst({ where: scope, select: prefSelect });
        const before = stored ? openPrefs(c, stored) : DEFAULT_PREFERENCES;
        const data = { ...next, language: c.sealNullable(next.language, seal.language(p.userId)), tone: c.sealNullable(next.tone, seal.tone(p.userId)) };
        // The row's key is the user id; org and user are both written, and the existing row is
        // only ever found through both.
        const saved = openPrefs(
          c,
          before.updatedAt
            ? (await tx.userPreference.updateMany({ where: scope, data }), await tx.userPreference.findFirstOrThrow({ where: scope, select: prefSelect }))
            : await tx.userPreference.create({ data: { ...scope, ...data }, select: prefSelect }),
        );
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
