import { z } from "zod";
import { authorize } from "@/lib/authz";
import { db, type AgentVersionRecord, type AgentVersionValues } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { plainText } from "@/lib/http/text";
import type { Principal } from "@/lib/principal";
import { DEFAULT_AGENTS, INSTRUCTIONS_MAX_CHARS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS } from "./defaults";
import { compactDiff, diffLines, diffStats, type CompactDiffLine } from "./version-diff";
import { AGENT_IDS, type AgentConfig, type AgentId, type AgentSet } from "./types";

/**
 * Admin-versioned agents: every save of an agent's instructions, tier, timeout, enabled flag or
 * allowed roles is a new version (lib/db agentVersionRepository); a turn runs with the latest
 * version of each agent, over the built-in defaults (version 0). Saves are optimistic: one based
 * on anything but the latest version is refused (409 stale_version), so two admins editing at
 * once never overwrite each other silently.
 */

// ─── What a turn runs with ──────────────────────────────────────────────────────────────────────

/**
 * The principal's org's effective agents: the latest saved version of each, else the built-in
 * default. Read from the database on every call (one indexed statement), not cached: a save is
 * then visible to the very next turn on every instance, with no invalidation to get wrong.
 */
export async function loadAgentSet(p: Principal): Promise<AgentSet> {
  const saved = await db.for(p).agents.currentConfigs();
  const set: AgentSet = { ...DEFAULT_AGENTS };
  for (const row of saved) {
    if (!isAgentId(row.agentId)) continue;
    set[row.agentId] = {
      id: row.agentId,
      version: row.version,
      instructions: row.instructions,
      tier: row.tier,
      timeoutMs: row.timeoutMs,
      enabled: row.enabled,
      allowedRoles: [...row.allowedRoles],
    };
  }
  return set;
}

export function isAgentId(x: string): x is AgentId {
  return (AGENT_IDS as readonly string[]).includes(x);
}

// ─── The console's shapes (JSON) ────────────────────────────────────────────────────────────────

export const AGENT_INFO: Record<AgentId, { name: string; description: string }> = {
  orchestrator: { name: "Orchestrator", description: "Reads each request and plans which specialists work on it." },
  research: { name: "Research", description: "Searches the user's own earlier conversations." },
  calculation: { name: "Calculation", description: "Exact arithmetic, percentages, unit conversion, small tables." },
  writing: { name: "Writing", description: "Drafts, rewrites and summarizes." },
  aggregator: { name: "Aggregator", description: "Writes the final answer from the specialists' results." },
};

export interface AgentVersionDto {
  version: number;
  instructions: string;
  tier: "small" | "large";
  timeoutMs: number;
  enabled: boolean;
  allowedRoles: string[];
  /** null for version 0 (built in) or when the account no longer exists. */
  savedBy: { id: string; name: string } | null;
  savedAt: string | null;
  note: string | null;
  rolledBackFrom: number | null;
}

export interface FieldChangeDto {
  field: "tier" | "timeoutMs" | "enabled" | "allowedRoles";
  from: unknown;
  to: unknown;
}

/** A version in the history, with what it changed against the one before it. */
export interface AgentHistoryItemDto extends AgentVersionDto {
  /** Against version - 1 (the built-in default for version 1); null for version 0. */
  diff: { lines: CompactDiffLine[]; added: number; removed: number; changes: FieldChangeDto[] } | null;
}

export interface AgentSummaryDto {
  id: AgentId;
  name: string;
  description: string;
  current: AgentVersionDto;
}

export interface AgentsDto {
  items: AgentSummaryDto[];
}

export interface AgentDetailDto extends AgentSummaryDto {
  /** Newest first; the built-in version 0 ends the last page. */
  versions: { items: AgentHistoryItemDto[]; nextCursor: string | null };
  /** The org's roles, which the agent may be restricted to. */
  roles: Array<{ key: string; name: string }>;
  limits: { instructionsMaxChars: number; timeoutMinMs: number; timeoutMaxMs: number };
}

function dtoOf(r: AgentVersionRecord): AgentVersionDto {
  return {
    version: r.version,
    instructions: r.instructions,
    tier: r.tier,
    timeoutMs: r.timeoutMs,
    enabled: r.enabled,
    allowedRoles: [...r.allowedRoles],
    savedBy: r.createdBy,
    savedAt: r.createdAt.toISOString(),
    note: r.note,
    rolledBackFrom: r.rolledBackFrom,
  };
}

function defaultDto(id: AgentId): AgentVersionDto {
  const d = DEFAULT_AGENTS[id];
  return { ...valuesOf(d), version: 0, savedBy: null, savedAt: null, note: "Built-in default", rolledBackFrom: null };
}

function valuesOf(c: AgentVersionValues | AgentConfig): AgentVersionValues {
  return { instructions: c.instructions, tier: c.tier, timeoutMs: c.timeoutMs, enabled: c.enabled, allowedRoles: [...c.allowedRoles] };
}

function fieldChanges(before: AgentVersionValues, after: AgentVersionValues): FieldChangeDto[] {
  const out: FieldChangeDto[] = [];
  if (before.tier !== after.tier) out.push({ field: "tier", from: before.tier, to: after.tier });
  if (before.timeoutMs !== after.timeoutMs) out.push({ field: "timeoutMs", from: before.timeoutMs, to: after.timeoutMs });
  if (before.enabled !== after.enabled) out.push({ field: "enabled", from: before.enabled, to: after.enabled });
  const roles = (r: string[]) => [...r].sort().join(",");
  if (roles(before.allowedRoles) !== roles(after.allowedRoles))
    out.push({ field: "allowedRoles", from: before.allowedRoles, to: after.allowedRoles });
  return out;
}

/** What `after` changed against `before`: a compact line diff of the instructions and the other fields. */
export function diffVersions(before: AgentVersionValues, after: AgentVersionValues): NonNullable<AgentHistoryItemDto["diff"]> {
  const lines = compactDiff(diffLines(before.instructions, after.instructions));
  return { lines, ...diffStats(lines), changes: fieldChanges(before, after) };
}

// ─── Inputs ─────────────────────────────────────────────────────────────────────────────────────

function agentIdParam(id: unknown): AgentId {
  if (typeof id !== "string" || !isAgentId(id)) throw AppError.notFound("Agent");
  return id;
}

const VersionNumber = z
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(0, "must be 0 or more")
  .max(1_000_000_000, "is too large");

export const SaveAgentBody = z.object({
  baseVersion: VersionNumber,
  instructions: plainText({ error: "instructions must be text" })
    .refine((s) => s.trim().length > 0, { message: "the instructions are empty" })
    .refine((s) => s.length <= INSTRUCTIONS_MAX_CHARS, {
      message: `the instructions are longer than ${INSTRUCTIONS_MAX_CHARS.toLocaleString("en-US")} characters`,
    }),
  tier: z.enum(["small", "large"], { error: 'must be "small" or "large"' }),
  timeoutMs: z
    .number({ error: "must be a number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(TIMEOUT_MIN_MS, `must be at least ${TIMEOUT_MIN_MS} ms`)
    .max(TIMEOUT_MAX_MS, `must be at most ${TIMEOUT_MAX_MS} ms`),
  enabled: z.boolean({ error: "must be true or false" }),
  allowedRoles: z
    .array(plainText().trim().min(1, "is empty").max(64, "is too long"), { error: "must be a list of role keys" })
    .max(100, "at most 100 roles")
    .transform((list) => [...new Set(list)]),
  note: plainText().trim().max(500, "at most 500 characters").nullish(),
});
export type SaveAgentInput = z.input<typeof SaveAgentBody>;

export const RollbackAgentBody = z.object({
  toVersion: VersionNumber,
  baseVersion: VersionNumber,
});
export type RollbackAgentInput = z.input<typeof RollbackAgentBody>;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw AppError.fromZod(r.error);
  return r.data;
}

function invalid(field: string, message: string): AppError {
  return new AppError("validation_failed", `Invalid request: ${field}: ${message}`, { fields: [{ field, message }] });
}

/**
 * What the team cannot honour, refused rather than saved: the aggregator writes every answer, so
 * it can be neither disabled nor restricted; every allowed role must be one of the org's.
 */
async function checkValues(p: Principal, id: AgentId, v: AgentVersionValues, what: string): Promise<void> {
  if (id === "aggregator" && !v.enabled) throw invalid("enabled", "the aggregator writes every answer and cannot be disabled");
  if (id === "aggregator" && v.allowedRoles.length > 0)
    throw invalid("allowedRoles", "the aggregator writes every answer and cannot be restricted to some roles");
  if (v.allowedRoles.length === 0) return;
  const known = new Set((await db.for(p).agents.roles()).map((r) => r.key));
  const unknown = v.allowedRoles.findIndex((r) => !known.has(r));
  if (unknown >= 0) throw invalid(`allowedRoles.${unknown}`, `${what}no role “${v.allowedRoles[unknown]}” in this org`);
}

// ─── Use cases ──────────────────────────────────────────────────────────────────────────────────

export interface AgentsContext {
  requestId?: string;
}

/** GET /api/admin/agents: the five agents with their current version. */
export async function listAgents(p: Principal): Promise<AgentsDto> {
  authorize(p, "agent.edit");
  const latest = new Map((await db.for(p).agents.listLatest()).map((r) => [r.agentId, r]));
  return {
    items: AGENT_IDS.map((id) => {
      const r = latest.get(id);
      return { id, ...AGENT_INFO[id], current: r ? dtoOf(r) : defaultDto(id) };
    }),
  };
}

const HISTORY_PAGE = 10;

/** GET /api/admin/agents/{id}: the current version, the history (a page, newest first) with diffs, the roles. */
export async function getAgent(
  p: Principal,
  input: { id: string; cursor?: string | null; limit?: number },
): Promise<AgentDetailDto> {
  authorize(p, "agent.edit");
  const id = agentIdParam(input.id);
  const before = cursorParam(input.cursor);
  const limit = Math.max(1, Math.min(50, Math.floor(input.limit ?? HISTORY_PAGE)));
  const repo = db.for(p).agents;
  const [page, latestPage, roles] = await Promise.all([
    before === 0 ? Promise.resolve({ items: [], nextCursor: null }) : repo.listVersions(id, { limit, before }),
    before === undefined ? null : repo.listVersions(id, { limit: 1 }),
    repo.roles(),
  ]);
  const latest = before === undefined ? page.items[0] : latestPage?.items[0];
  const saved = page.items.map(dtoOf);
  // The version just under this page's oldest, to diff it against (0: the built-in default).
  const oldest = saved[saved.length - 1];
  const under =
    oldest && oldest.version > 1 ? await repo.getVersion(id, oldest.version - 1).then((r) => (r ? dtoOf(r) : null)) : null;
  const items: AgentVersionDto[] = [...saved];
  const reachedDefault = page.nextCursor === null;
  if (reachedDefault) items.push(defaultDto(id));
  const history: AgentHistoryItemDto[] = items.map((v, i) => {
    if (v.version === 0) return { ...v, diff: null };
    const prev = items[i + 1] ?? (v.version === 1 ? defaultDto(id) : under);
    return { ...v, diff: prev ? diffVersions(prev, v) : null };
  });
  return {
    id,
    ...AGENT_INFO[id],
    current: latest ? dtoOf(latest) : defaultDto(id),
    versions: { items: history, nextCursor: page.nextCursor },
    roles,
    limits: { instructionsMaxChars: INSTRUCTIONS_MAX_CHARS, timeoutMinMs: TIMEOUT_MIN_MS, timeoutMaxMs: TIMEOUT_MAX_MS },
  };
}

function cursorParam(cursor: string | null | undefined): number | undefined {
  if (cursor === undefined || cursor === null || cursor === "") return undefined;
  if (!/^\d{1,10}$/.test(cursor)) throw invalid("cursor", "not a cursor from this list");
  return Number(cursor);
}

/**
 * PUT /api/admin/agents/{id}: saves a new version. 422 naming the field for invalid input, 409
 * stale_version (naming who saved since, and when) unless `baseVersion` is the latest; nothing
 * is written in either case. The agent.updated audit event commits with the version.
 */
export async function saveAgentVersion(
  p: Principal,
  input: { id: string; body: unknown },
  ctx: AgentsContext = {},
): Promise<AgentVersionDto> {
  authorize(p, "agent.edit");
  const id = agentIdParam(input.id);
  const body = parse(SaveAgentBody, input.body);
  const values: AgentVersionValues = {
    instructions: body.instructions,
    tier: body.tier,
    timeoutMs: body.timeoutMs,
    enabled: body.enabled,
    allowedRoles: body.allowedRoles,
  };
  await checkValues(p, id, values, "");
  const base = await versionValues(p, id, body.baseVersion);
  const saved = await db.for(p).agents.save({
    agentId: id,
    baseVersion: body.baseVersion,
    values,
    note: body.note ?? null,
    audit: { action: "agent.updated", data: auditData(base, values) },
    requestId: ctx.requestId,
  });
  return dtoOf(saved);
}

/**
 * POST /api/admin/agents/{id}/rollback: a new version copying `toVersion` (0: the built-in
 * default), based on `baseVersion` like any save; agent.rolled_back in the same transaction.
 */
export async function rollbackAgent(
  p: Principal,
  input: { id: string; body: unknown },
  ctx: AgentsContext = {},
): Promise<AgentVersionDto> {
  authorize(p, "agent.edit");
  const id = agentIdParam(input.id);
  const body = parse(RollbackAgentBody, input.body);
  const target = await versionValues(p, id, body.toVersion);
  if (!target) throw AppError.notFound(`Version ${body.toVersion} of the ${id} agent`);
  await checkValues(p, id, target, `version ${body.toVersion} allows a role that no longer exists: `);
  const base = await versionValues(p, id, body.baseVersion);
  const saved = await db.for(p).agents.save({
    agentId: id,
    baseVersion: body.baseVersion,
    values: target,
    note: `Rolled back to version ${body.toVersion}`,
    rolledBackFrom: body.toVersion,
    audit: { action: "agent.rolled_back", data: { ...auditData(base, target), toVersion: body.toVersion } },
    requestId: ctx.requestId,
  });
  return dtoOf(saved);
}

/** A version's values (0: the built-in default); null when this org has no such version. */
async function versionValues(p: Principal, id: AgentId, version: number): Promise<AgentVersionValues | null> {
  if (version === 0) return valuesOf(DEFAULT_AGENTS[id]);
  const r = await db.for(p).agents.getVersion(id, version);
  return r ? valuesOf(r) : null;
}

/** The audit record of a save: which fields changed and how, the instructions by size (not text). */
function auditData(before: AgentVersionValues | null, after: AgentVersionValues): Record<string, unknown> {
  const changes = before ? fieldChanges(before, after) : [];
  const instructions = before
    ? diffStats(compactDiff(diffLines(before.instructions, after.instructions), 0))
    : { added: null, removed: null };
  return {
    changes: changes.map((c) => ({ field: c.field, from: c.from, to: c.to })),
    instructionsChanged: before ? before.instructions !== after.instructions : true,
    linesAdded: instructions.added,
    linesRemoved: instructions.removed,
    instructionsChars: after.instructions.length,
  };
}
