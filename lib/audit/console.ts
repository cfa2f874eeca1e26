import { z } from "zod";
import { plainText } from "@/lib/http/text";
import { authorize } from "@/lib/authz";
import { db } from "@/lib/db";
import type {
  AuditActor,
  AuditEventRecord,
  AuditEventSummary,
  AuditListFilters,
  AuditTimelineItem,
} from "@/lib/db/repositories/audit";
import { AppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";
import { exportCheckpoints } from "./checkpoints";
import { drainAudit } from "./maintenance";
import { verifyOrgChain, type ChainReport } from "./verify";

/**
 * The audit console's use cases (GET/POST /api/admin/audit/*, /admin/audit): each takes
 * (principal, input, { requestId }), checks audit.read itself (the route already did; a page or
 * a test may not have), validates its input with zod and reads through the principal-scoped
 * repository, so everything is bound to the principal's org. Exporting and verifying are
 * themselves recorded in the trail.
 */

export type { AuditActor, AuditEventRecord, AuditEventSummary, AuditTimelineItem };
export type { ChainReport };

export interface UseCaseContext {
  requestId?: string;
}

export interface AuditPageDto {
  items: AuditEventSummary[];
  nextCursor: string | null;
}

export interface AuditEventDetailDto {
  event: AuditEventRecord;
  /** Every event of the same request (the steps of a chat turn), in order; empty without a request id. */
  timeline: AuditTimelineItem[];
}

// ─── Filters ────────────────────────────────────────────────────────────────────────────────────

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const ACTION_TERM = /^[a-z][a-z_]*(?:\.[a-z_]*)?\*?$/;
const MAX_ACTION_TERMS = 12;

/**
 * ISO 8601: a date (midnight), or a date and time to the minute, second or millisecond, with
 * `Z` or an offset; without one the time is UTC.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseInstant(raw: string): Date | null {
  const m = INSTANT.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", ms = "0", zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const offset = !zone || zone.toUpperCase() === "Z" ? "Z" : zone.replace(/^([+-]\d{2}):?(\d{2})$/, "$1:$2");
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms.padEnd(3, "0")}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

const Instant = z
  .string()
  .max(40, "too long")
  .transform((s, ctx) => {
    const d = parseInstant(s);
    if (!d) {
      ctx.addIssue({
        code: "custom",
        message:
          "not a valid date and time: use ISO 8601, e.g. 2026-01-31 or 2026-01-31T09:30Z (UTC unless an offset is given)",
      });
      return z.NEVER;
    }
    // PostgreSQL has no year 0 and JavaScript's dates reach further than its timestamps: keep to
    // years it stores (and an audit trail can hold), so such a date is a 4xx, not a database error.
    const year = d.getUTCFullYear();
    if (year < MIN_YEAR || year > MAX_YEAR) {
      ctx.addIssue({ code: "custom", message: `the year must be between ${MIN_YEAR} and ${MAX_YEAR}` });
      return z.NEVER;
    }
    return d;
  });

const ActionTerms = z
  .string()
  .max(400, "too long")
  .transform((s, ctx) => {
    const terms = [
      ...new Set(
        s
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ];
    const bad = terms.find((t) => !ACTION_TERM.test(t));
    if (bad !== undefined || terms.length > MAX_ACTION_TERMS) {
      ctx.addIssue({
        code: "custom",
        message:
          bad !== undefined
            ? `"${bad.slice(0, 60)}" is not an action (chat.model_call) or a prefix ending in "." or "*" (chat.)`
            : `at most ${MAX_ACTION_TERMS} actions or prefixes`,
      });
      return z.NEVER;
    }
    return terms;
  });

const filterShape = {
  /** A person's id, or "system" for events the system recorded. */
  user: z.preprocess(blankToUndefined, z.string().trim().regex(ID, "not a user id").optional()),
  /** Comma-separated actions and prefixes (any of them): "chat.", "user.,team.", "auth.sign_in". */
  action: z.preprocess(blankToUndefined, ActionTerms.optional()),
  conversation: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(ID, "not a conversation id (letters, digits, '-' or '_')").optional(),
  ),
  outcome: z.preprocess(blankToUndefined, z.enum(["success", "failure"]).optional()),
  /** Inclusive. */
  from: z.preprocess(blankToUndefined, Instant.optional()),
  /** Exclusive. */
  to: z.preprocess(blankToUndefined, Instant.optional()),
};

function rangeIsOrdered(f: { from?: Date; to?: Date }, ctx: z.RefinementCtx): void {
  if (f.from && f.to && f.from >= f.to) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must be later than from" });
  }
}

export const AuditFilterQuery = z.object(filterShape).superRefine(rangeIsOrdered);

export const ListAuditQuery = z
  .object({
    ...filterShape,
    cursor: z.preprocess(blankToUndefined, plainText().max(256, "too long").optional()),
    limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(200).default(50)),
  })
  .superRefine(rangeIsOrdered);

export const ExportAuditQuery = z
  .object({
    ...filterShape,
    format: z.preprocess(blankToUndefined, z.enum(["jsonl", "csv"]).default("jsonl")),
  })
  .superRefine(rangeIsOrdered);

export type AuditFilterInput = z.input<typeof AuditFilterQuery>;
export type ListAuditInput = z.input<typeof ListAuditQuery>;
export type ExportAuditInput = z.input<typeof ExportAuditQuery>;
type ParsedFilters = z.output<typeof AuditFilterQuery>;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw AppError.fromZod(r.error);
  return r.data;
}

/** The repository's filters from the API's. */
function toFilters(q: ParsedFilters): AuditListFilters {
  return {
    ...(q.user !== undefined ? { actorId: q.user === "system" ? null : q.user } : {}),
    ...(q.action && q.action.length > 0 ? { action: q.action } : {}),
    ...(q.conversation !== undefined ? { conversationId: q.conversation } : {}),
    ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
  };
}

/** The filters as given (normalized), for the audit event that records an export. */
function describeFilters(q: ParsedFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (q.user !== undefined) out.user = q.user;
  if (q.action && q.action.length > 0) out.action = q.action.join(",");
  if (q.conversation !== undefined) out.conversation = q.conversation;
  if (q.outcome !== undefined) out.outcome = q.outcome;
  if (q.from) out.from = q.from.toISOString();
  if (q.to) out.to = q.to.toISOString();
  return out;
}

// ─── Reading ────────────────────────────────────────────────────────────────────────────────────

/**
 * Reading the trail is not reading conversations: what was said (the `content` the org's policy
 * keeps) is shown only to holders of audit.read.content, which no built-in role has. Everyone
 * else sees that there was content, and its hashes.
 */
const WITHHELD = { withheld: true, reason: "needs the audit.read.content permission" } as const;

function contentVisibleTo(p: Principal) {
  const allowed = p.permissions.has("audit.read.content");
  return <T extends { content: unknown }>(r: T): T => (allowed || r.content == null ? r : { ...r, content: WITHHELD });
}

/** GET /api/admin/audit/events: newest first; pass `nextCursor` back as `cursor`. */
export async function listAuditEvents(
  p: Principal,
  input: ListAuditInput,
  _ctx: UseCaseContext = {},
): Promise<AuditPageDto> {
  authorize(p, "audit.read");
  const q = parse(ListAuditQuery, input);
  // Listings carry no content; the detail and the export are where it is withheld.
  return db.for(p).audit.list({ ...toFilters(q), cursor: q.cursor, limit: q.limit });
}

/** GET /api/admin/audit/events/{id}: the event and the other events of its request. */
export async function getAuditEvent(
  p: Principal,
  input: { id: string },
  _ctx: UseCaseContext = {},
): Promise<AuditEventDetailDto> {
  authorize(p, "audit.read");
  if (!ID.test(input.id)) throw AppError.notFound("Audit event");
  const repo = db.for(p).audit;
  const event = await repo.get(input.id);
  if (!event) throw AppError.notFound("Audit event");
  const timeline = event.requestId ? await repo.timeline(event.requestId) : [];
  return { event: contentVisibleTo(p)(event), timeline };
}

/** People of the org who appear in its trail (the console's user filter). */
export async function listAuditActors(p: Principal): Promise<AuditActor[]> {
  authorize(p, "audit.read");
  return db.for(p).audit.actors();
}

// ─── Export ─────────────────────────────────────────────────────────────────────────────────────

/** The columns of an export, in order (JSONL objects have the same keys). */
export const EXPORT_COLUMNS = [
  "id",
  "orgId",
  "pos",
  "seq",
  "createdAt",
  "actorId",
  "actorEmail",
  "actorName",
  "sessionId",
  "requestId",
  "action",
  "targetType",
  "targetId",
  "outcome",
  "latencyMs",
  "inputHash",
  "outputHash",
  "content",
  "data",
  "sealedAt",
  "prevHash",
  "hash",
] as const;

export type ExportRecord = Record<(typeof EXPORT_COLUMNS)[number], unknown>;

export function exportRecord(r: AuditEventRecord): ExportRecord {
  return {
    id: r.id,
    orgId: r.orgId,
    pos: r.pos,
    seq: r.seq,
    createdAt: r.createdAt,
    actorId: r.actorId,
    actorEmail: r.actor?.email ?? null,
    actorName: r.actor?.name ?? null,
    sessionId: r.sessionId,
    requestId: r.requestId,
    action: r.action,
    targetType: r.target?.type ?? null,
    targetId: r.target?.id ?? null,
    outcome: r.outcome,
    latencyMs: r.latencyMs,
    inputHash: r.inputHash,
    outputHash: r.outputHash,
    content: r.content,
    data: r.data,
    sealedAt: r.sealedAt,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

/** Characters that make a spreadsheet read a cell as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): objects as JSON, null as empty; quoted when it holds a quote, comma
 * or line break, quotes doubled. A value a spreadsheet would run as a formula (starting with
 * = + - @, tab or CR) gets a leading apostrophe, so it is shown as text.
 */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined
      ? ""
      : typeof value === "string"
        ? value
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

export function jsonLine(r: AuditEventRecord): string {
  return `${JSON.stringify(exportRecord(r))}\n`;
}

export function csvRecordLine(r: AuditEventRecord): string {
  const rec = exportRecord(r);
  return csvLine(EXPORT_COLUMNS.map((c) => rec[c]));
}

export const EXPORT_BATCH = 500;

export interface AuditExport {
  filename: string;
  contentType: string;
  format: "jsonl" | "csv";
  /** One chunk per batch of rows (CSV: the header first). Pulled lazily. */
  chunks: AsyncGenerator<string, void, undefined>;
}

function safeSlug(slug: string): string {
  return slug.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 60) || "org";
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * GET /api/admin/audit/export. Validates the filters, writes what is queued and seals it (so the
 * newest events are in), records `audit.exported` with the filters and format — before a single
 * row leaves — and returns the rows as a lazy sequence of text chunks.
 */
export async function exportAuditEvents(
  p: Principal,
  input: ExportAuditInput,
  ctx: UseCaseContext = {},
  opts: { batchSize?: number } = {},
): Promise<AuditExport> {
  authorize(p, "audit.read");
  const q = parse(ExportAuditQuery, input);
  const repo = db.for(p).audit;
  const org = await repo.org();
  await drainAudit();
  await repo.record("audit.exported", {
    requestId: ctx.requestId,
    data: { format: q.format, filters: describeFilters(q) },
  });
  const rows = repo.exportRows(toFilters(q), opts.batchSize ?? EXPORT_BATCH);
  const format = q.format;
  const visible = contentVisibleTo(p);
  async function* chunks(): AsyncGenerator<string, void, undefined> {
    try {
      if (format === "csv") yield csvLine(EXPORT_COLUMNS);
      for await (const batch of rows) {
        yield batch.map((r) => (format === "csv" ? csvRecordLine : jsonLine)(visible(r))).join("");
      }
    } finally {
      await rows.return(undefined);
    }
  }
  return {
    filename: `enclave-audit-${safeSlug(org.slug)}-${today()}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
    format,
    chunks: chunks(),
  };
}

/**
 * A byte stream over text chunks that pulls the next chunk only when the reader wants it (the
 * database is read a batch at a time, at the client's pace) and stops reading when the client
 * goes away.
 */
export function streamOfChunks(
  chunks: AsyncGenerator<string, void, undefined>,
  what = "audit export",
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(value));
        } catch (err) {
          logger.error({ err }, `${what} failed part-way; the download is incomplete`);
          controller.error(err);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

// ─── Verification and checkpoints ───────────────────────────────────────────────────────────────

/**
 * POST /api/admin/audit/verify: writes what is queued, seals it, walks the org's whole chain and
 * its signed checkpoints, and records `audit.verified` with the result (outcome "failure" when
 * the chain is broken). A broken chain is a result, not an error.
 */
export async function verifyAuditChain(p: Principal, ctx: UseCaseContext = {}): Promise<ChainReport> {
  authorize(p, "audit.read");
  await drainAudit();
  const report = await verifyOrgChain(p.orgId);
  await db.for(p).audit.record("audit.verified", {
    requestId: ctx.requestId,
    outcome: report.ok ? "success" : "failure",
    data: {
      ok: report.ok,
      checked: report.checked,
      lastSeq: report.lastSeq,
      checkpoints: report.checkpoints,
      firstBroken: report.firstBroken,
    },
  });
  return report;
}

/** GET /api/admin/audit/checkpoints: the org's signed checkpoints and how to check them elsewhere. */
export async function exportAuditCheckpoints(
  p: Principal,
  ctx: UseCaseContext = {},
): Promise<{ filename: string; body: Awaited<ReturnType<typeof exportCheckpoints>> }> {
  authorize(p, "audit.read");
  const repo = db.for(p).audit;
  const org = await repo.org();
  const body = await exportCheckpoints(p.orgId);
  await repo.record("audit.exported", {
    requestId: ctx.requestId,
    data: { format: "checkpoints", checkpoints: body.checkpoints.length },
  });
  return { filename: `enclave-audit-checkpoints-${safeSlug(org.slug)}-${today()}.json`, body };
}
