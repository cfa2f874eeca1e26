import { db, type MemoryRecord, type PreferencesRecord } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { isUnstorableText } from "@/lib/http/text";
import type { Principal } from "@/lib/principal";
import {
  AddMemorySchema,
  EditMemorySchema,
  ListMemoriesSchema,
  MemoryText,
  PreferencesSchema,
  type AddMemoryInput,
  type EditMemoryInput,
  type ListMemoriesInput,
  type MemoryDto,
  type PreferencesDto,
  type PreferencesInput,
} from "./schema";

/**
 * Long-term memory: one person's own facts and preferences, never shared. Every function takes
 * the acting principal and reaches the database only through db.for(principal), whose queries
 * carry that principal's org and user; another user's memory id is "not found".
 */

type Opts = { requestId?: string };

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import("zod").ZodError } }, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw AppError.fromZod(r.error);
  return r.data;
}

/** A malformed id cannot name a memory of mine: answered exactly like someone else's. */
function checkedId(id: string): string {
  if (id.length === 0 || id.length > 128 || isUnstorableText(id)) throw AppError.notFound("Memory");
  return id;
}

export function toMemoryDto(m: MemoryRecord): MemoryDto {
  return {
    id: m.id,
    text: m.text,
    sourceConversationId: m.sourceConversationId,
    origin: m.origin,
    status: m.status,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

function toPreferencesDto(p: PreferencesRecord): PreferencesDto {
  return {
    memoryEnabled: p.memoryEnabled,
    memorySaveMode: p.memorySaveMode,
    language: p.language,
    tone: p.tone as PreferencesDto["tone"],
    defaultTier: p.defaultTier,
  };
}

/** My memories, newest change first; `q` filters by text, `status` by active/proposed. */
export async function listMemories(p: Principal, input: ListMemoriesInput = {}): Promise<{ items: MemoryDto[]; nextCursor: string | null }> {
  const q = parse(ListMemoriesSchema, input);
  const page = await db.for(p).memories.list({ limit: q.limit, cursor: q.cursor ?? null, status: q.status, query: q.q || undefined });
  return { items: page.items.map(toMemoryDto), nextCursor: page.nextCursor };
}

export async function getMemory(p: Principal, id: string): Promise<MemoryDto> {
  const m = await db.for(p).memories.getById(checkedId(id));
  if (!m) throw AppError.notFound("Memory");
  return toMemoryDto(m);
}

/** A memory the user wrote themselves: active at once. */
export async function addMemory(p: Principal, input: AddMemoryInput, opts: Opts = {}): Promise<MemoryDto> {
  const { text } = parse(AddMemorySchema, input);
  const m = await db.for(p).memories.create({ text, origin: "user", status: "active", sourceConversationId: null }, opts);
  return toMemoryDto(m);
}

/** New text and/or accepting a proposal. 404 when the id is not one of my memories. */
export async function editMemory(p: Principal, id: string, input: EditMemoryInput, opts: Opts = {}): Promise<MemoryDto> {
  const change = parse(EditMemorySchema, input);
  const repo = db.for(p).memories;
  const before = await repo.getById(checkedId(id));
  if (!before) throw AppError.notFound("Memory");
  const accepting = change.status === "active" && before.status === "proposed";
  const m = await repo.update(id, change, { ...opts, action: accepting ? "memory.accepted" : "memory.edited" });
  if (!m) throw AppError.notFound("Memory");
  return toMemoryDto(m);
}

/** Deletes one of my memories (rejecting a proposal is deleting it). 404 when not mine. */
export async function deleteMemory(p: Principal, id: string, opts: Opts = {}): Promise<void> {
  const repo = db.for(p).memories;
  const before = await repo.getById(checkedId(id));
  if (!before) throw AppError.notFound("Memory");
  const ok = await repo.remove(id, { ...opts, action: before.status === "proposed" ? "memory.rejected" : "memory.deleted" });
  if (!ok) throw AppError.notFound("Memory");
}

export async function acceptMemory(p: Principal, id: string, opts: Opts = {}): Promise<MemoryDto> {
  return editMemory(p, id, { status: "active" }, opts);
}

/** Rejects a proposed memory (deletes it). 404 when it is not one of my proposals. */
export async function rejectMemory(p: Principal, id: string, opts: Opts = {}): Promise<void> {
  const ok = await db.for(p).memories.remove(checkedId(id), { ...opts, action: "memory.rejected", onlyStatus: "proposed" });
  if (!ok) throw AppError.notFound("Memory");
}

export type ProposeResult =
  | { saved: true; memory: MemoryDto }
  | { saved: false; reason: "memory_off" | "duplicate"; memory?: MemoryDto };

/**
 * A memory an agent suggests during this user's turn: proposed (waiting for the user) in
 * explicit mode, active at once in automatic mode; nothing when the user switched memory off.
 * The source conversation is kept only if it is the principal's own.
 */
export async function proposeMemory(p: Principal, input: { text: string; conversationId?: string | null }, opts: Opts = {}): Promise<ProposeResult> {
  const text = parse(MemoryText, input.text);
  const scoped = db.for(p);
  const prefs = await scoped.memories.preferences();
  if (!prefs.memoryEnabled) return { saved: false, reason: "memory_off" };
  const dup = await scoped.memories.findSameText(text);
  if (dup) return { saved: false, reason: "duplicate", memory: toMemoryDto(dup) };
  const conversation = input.conversationId ? await scoped.conversations.getById(input.conversationId) : null;
  const m = await scoped.memories.create(
    { text, origin: "agent", status: prefs.memorySaveMode === "automatic" ? "active" : "proposed", sourceConversationId: conversation?.id ?? null },
    opts,
  );
  return { saved: true, memory: toMemoryDto(m) };
}

export const RECALL_LIMIT = 5;

/**
 * My active memories that bear on `text`, best first (at most `limit`): the chat turn's recall
 * stage. Nothing when I switched memory off. Only ever my own: the query is scoped by the
 * principal, so another user's memory is never a candidate, even with identical text.
 */
export async function recallMemories(p: Principal, text: string, limit = RECALL_LIMIT): Promise<Array<{ id: string; text: string }>> {
  const repo = db.for(p).memories;
  const prefs = await repo.preferences();
  if (!prefs.memoryEnabled) return [];
  const hits = await repo.recall(text.slice(0, 4000), Math.max(1, Math.min(20, Math.floor(limit))));
  return hits.map((h) => ({ id: h.id, text: h.text }));
}

export async function getPreferences(p: Principal): Promise<PreferencesDto> {
  return toPreferencesDto(await db.for(p).memories.preferences());
}

/** Saves the given preferences; the others keep their value. */
export async function updatePreferences(p: Principal, input: PreferencesInput, opts: Opts = {}): Promise<PreferencesDto> {
  const change = parse(PreferencesSchema, input);
  const repo = db.for(p).memories;
  const current = await repo.preferences();
  const next = {
    memoryEnabled: change.memoryEnabled ?? current.memoryEnabled,
    memorySaveMode: change.memorySaveMode ?? current.memorySaveMode,
    language: change.language === undefined ? current.language : change.language || null,
    tone: change.tone === undefined ? current.tone : change.tone,
    defaultTier: change.defaultTier ?? current.defaultTier,
  };
  return toPreferencesDto(await repo.savePreferences(next, opts));
}
