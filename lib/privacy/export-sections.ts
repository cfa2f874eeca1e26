import type { ExportOwner } from "@/lib/db";

/**
 * The seam other modules use to put their per-user data into a data export: each registers a
 * named section with a loader reading ONLY the owner's rows (through their own scoped
 * repository). lib/usage registers "usage" (its usage records) when its recorder is installed;
 * before that the archive's `usage` is an empty list. A section's name is its key in the archive.
 */
export interface ExportSection {
  name: string;
  load(owner: ExportOwner): Promise<unknown[]>;
}

const BUILT_IN = new Set(["format", "version", "exportedAt", "user", "preferences", "conversations", "memories", "auditEvents"]);

// Shared by Next's module graphs, like the other process-wide registries.
const holder = globalThis as typeof globalThis & { __enclaveExportSections?: Map<string, ExportSection> };
const sections = (holder.__enclaveExportSections ??= new Map());

/** Adds (or replaces, by name) a section of every future export. */
export function registerExportSection(section: ExportSection): void {
  if (BUILT_IN.has(section.name)) throw new Error(`"${section.name}" is a built-in part of the export archive`);
  if (!/^[a-z][a-zA-Z0-9]*$/.test(section.name)) throw new Error(`export section name "${section.name}" must be camelCase letters and digits`);
  sections.set(section.name, section);
}

export function unregisterExportSection(name: string): void {
  sections.delete(name);
}

/** The registered sections, "usage" always among them (empty until lib/usage registers it). */
export function exportSections(): ExportSection[] {
  const all = new Map(sections);
  if (!all.has("usage")) all.set("usage", { name: "usage", load: async () => [] });
  return [...all.values()];
}
