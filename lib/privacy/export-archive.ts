import { db, type ExportOwner } from "@/lib/db";
import { exportSections } from "./export-sections";

export const EXPORT_FORMAT = "enclave.data-export";
export const EXPORT_VERSION = 1;

/** The archive's top level (sections registered by other modules are added by their name). */
export interface ExportArchive {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  user: { id: string; email: string; name: string; role: string; createdAt: string; org: { id: string; name: string; slug: string } } | null;
  preferences: Record<string, unknown> | null;
  conversations: Array<{
    id: string;
    title: string;
    createdAt: string;
    updatedAt: string;
    messages: Array<{ id: string; role: string; text: string; parts: unknown; status: string; model: string | null; createdAt: string }>;
  }>;
  memories: Array<Record<string, unknown>>;
  usage: unknown[];
  auditEvents: Array<Record<string, unknown>>;
  [section: string]: unknown;
}

function textOf(parts: unknown): string {
  if (!Array.isArray(parts)) return "";
  return parts
    .filter((p): p is { type: string; text: string } => typeof p === "object" && p !== null && (p as { type?: unknown }).type === "text" && typeof (p as { text?: unknown }).text === "string")
    .map((p) => p.text)
    .join("");
}

const iso = (d: Date) => d.toISOString();

/**
 * One person's data as one JSON document: who they are, their preferences, every conversation
 * with its messages (read in batches), their memories, each registered section (usage…) and the
 * audit events they did or that are about them. Every read is scoped by the owner. `progress`
 * gets 0..95 as the parts are read.
 */
export async function buildExportArchive(owner: ExportOwner, opts: { now?: Date; progress?: (percent: number) => Promise<void> } = {}): Promise<ExportArchive> {
  const repo = db.forOwner(owner).dataExport;
  const progress = opts.progress ?? (async () => {});
  const person = await repo.person();
  const total = await repo.countConversations();
  await progress(5);

  const conversations: ExportArchive["conversations"] = [];
  for await (const batch of repo.conversations()) {
    for (const c of batch) {
      conversations.push({
        id: c.id,
        title: c.title,
        createdAt: iso(c.createdAt),
        updatedAt: iso(c.updatedAt),
        messages: c.messages.map((m) => ({ id: m.id, role: m.role, text: textOf(m.parts), parts: m.parts, status: m.status, model: m.model, createdAt: iso(m.createdAt) })),
      });
    }
    await progress(5 + Math.floor((70 * conversations.length) / Math.max(1, total)));
  }
  await progress(75);

  const memories = (await repo.memories()).map((m) => ({ ...m, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt) }));
  const prefs = await repo.preferences();
  await progress(80);

  const extra: Record<string, unknown[]> = {};
  for (const s of exportSections()) extra[s.name] = await s.load(owner);
  await progress(88);

  const auditEvents = (await repo.auditEvents(conversations.map((c) => c.id))).map((e) => ({ ...e, createdAt: iso(e.createdAt) }));
  await progress(95);

  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: iso(opts.now ?? new Date()),
    user: person ? { ...person, createdAt: iso(person.createdAt) } : null,
    preferences: prefs ? { ...prefs, updatedAt: iso(prefs.updatedAt) } : null,
    conversations,
    memories,
    usage: extra.usage ?? [],
    ...extra,
    auditEvents,
  };
}
