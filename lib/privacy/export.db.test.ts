import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { inProcessAdapter, installJobServiceForTests, jobs, JobService } from "@/lib/jobs";
import { JOB_DEFINITIONS } from "@/lib/jobs/kinds";
import { addMemory, updatePreferences } from "@/lib/memory";
import type { Principal } from "@/lib/principal";
import { buildExportArchive, type ExportArchive } from "./export-archive";
import { EXPORT_TTL_MS } from "./export-job";
import { registerExportSection, unregisterExportSection } from "./export-sections";
import { downloadExport, listMyExports, startExport } from "./export";
import { registerUsageExport } from "@/lib/usage/recorder";

let t: TestDatabase;
let alice: Principal;
let dan: Principal;
let frank: Principal;

beforeAll(async () => {
  t = await createTestDatabase();
  installJobServiceForTests(new JobService(inProcessAdapter({ kinds: JOB_DEFINITIONS.map((d) => d.kind), resumeOnStart: false }), JOB_DEFINITIONS));
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  dan = principalFor(await seededUser(t.db, "dan@acme.test"));
  frank = principalFor(await seededUser(t.db, "frank@globex.test"));
});
afterAll(async () => {
  await jobs().close();
  installJobServiceForTests(undefined);
  await t?.dispose();
});

async function conversationOf(p: Principal, title: string, texts: string[]): Promise<string> {
  const id = crypto.randomUUID();
  await t.db.prisma.conversation.create({ data: { id, orgId: p.orgId, userId: p.userId, title } });
  for (const [i, text] of texts.entries()) {
    await t.db.prisma.message.create({
      data: { id: crypto.randomUUID(), conversationId: id, orgId: p.orgId, userId: p.userId, role: i % 2 ? "assistant" : "user", parts: [{ type: "text", text }] },
    });
  }
  return id;
}

async function exportOf(p: Principal): Promise<{ id: string; archive: ExportArchive; raw: string }> {
  const { id } = await startExport(p, { requestId: "req-export" });
  await jobs().idle();
  const d = await downloadExport(p, id);
  return { id, archive: JSON.parse(d.body) as ExportArchive, raw: d.body };
}

describe(`data export (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("one JSON archive of my conversations, messages, memories, preferences, usage and audit events; nobody else's", async () => {
    const convId = await conversationOf(alice, "Alice plans the offsite", ["Where should we go?", "Lisbon is nice in May."]);
    await conversationOf(dan, "Dan's secret project", ["dan private words"]);
    const mem = await addMemory(alice, { text: "Alice prefers window seats" });
    await addMemory(dan, { text: "Dan prefers aisle seats" });
    await updatePreferences(alice, { tone: "friendly", language: "Portuguese" });

    const { id, archive, raw } = await exportOf(alice);
    expect(archive).toMatchObject({ format: "enclave.data-export", version: 1, user: { id: alice.userId, email: "alice@acme.test", org: { slug: "acme" } } });
    expect(archive.conversations).toHaveLength(1);
    expect(archive.conversations[0]).toMatchObject({ id: convId, title: "Alice plans the offsite" });
    expect(archive.conversations[0]!.messages.map((m) => [m.role, m.text])).toEqual([
      ["user", "Where should we go?"],
      ["assistant", "Lisbon is nice in May."],
    ]);
    expect(archive.memories.map((m) => m.id)).toEqual([mem.id]);
    expect(archive.preferences).toMatchObject({ tone: "friendly", language: "Portuguese", memoryEnabled: true });
    expect(archive.usage).toEqual([]);
    const actions = archive.auditEvents.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["memory.added", "preferences.changed", "data.export_requested"]));
    expect(raw).not.toContain("Dan");
    expect(raw).not.toContain("dan private words");
    expect(raw).not.toContain(dan.userId);

    // Finished: the job says where to download it, to its owner only.
    const view = await jobs().get(id, alice);
    expect(view).toMatchObject({ id, kind: "data.export", status: "done", progress: 100, downloadUrl: `/api/me/export/${id}` });
    await expect(jobs().get(id, dan)).rejects.toMatchObject({ code: "not_found" });
    const mine = await listMyExports(alice);
    expect(mine[0]).toMatchObject({ id, status: "done", downloadUrl: `/api/me/export/${id}` });
    const recorded = await t.db.prisma.auditEvent.findMany({ where: { actorId: alice.userId, action: { startsWith: "data." } }, orderBy: { pos: "asc" } });
    expect(recorded.map((e) => e.action)).toEqual(["data.export_requested", "data.exported", "data.export_downloaded"]);
    expect(recorded[1]!.data).toMatchObject({ jobId: id, conversations: 1, messages: 2, memories: 1 });
  });

  it("the download link works only for its owner and only until it expires", async () => {
    const { id } = await exportOf(alice);
    for (const other of [dan, frank]) await expect(downloadExport(other, id)).rejects.toMatchObject({ code: "not_found" });
    const later = new Date(Date.now() + EXPORT_TTL_MS + 60_000);
    await expect(downloadExport(alice, id, { now: later })).rejects.toMatchObject({ code: "not_found", reason: "export_expired" });
    await expect(downloadExport(alice, "no-such-export")).rejects.toMatchObject({ code: "not_found" });
    // Once expired (moved into the past), the job no longer offers a link, and the list says none.
    await t.db.prisma.dataExport.update({ where: { jobId: id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const view = await jobs().get(id, alice);
    expect(view.downloadUrl).toBeUndefined();
    expect(view).toMatchObject({ status: "done", expired: true });
    await expect(downloadExport(alice, id)).rejects.toMatchObject({ reason: "export_expired" });
    expect((await listMyExports(alice)).find((e) => e.id === id)?.downloadUrl).toBeNull();
  });

  it("an export of a user with no data is a valid, empty archive", async () => {
    const { archive } = await exportOf(frank);
    expect(archive).toMatchObject({ user: { id: frank.userId }, conversations: [], memories: [], preferences: null, usage: [] });
    expect(archive.auditEvents.map((e) => e.action)).toEqual(["data.export_requested"]);
  });

  it("progress is reported as the archive is read; registered sections (usage) are included, for the owner only", async () => {
    for (let i = 0; i < 3; i++) await conversationOf(dan, `Dan ${i}`, ["hi"]);
    registerExportSection({ name: "usage", load: async (owner) => [{ userId: owner.userId, tokens: 42 }] });
    try {
      const seen: number[] = [];
      const archive = await buildExportArchive(dan, { progress: async (p) => void seen.push(p) });
      expect(archive.usage).toEqual([{ userId: dan.userId, tokens: 42 }]);
      expect(seen[0]).toBe(5);
      expect(seen.at(-1)).toBe(95);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    } finally {
      unregisterExportSection("usage");
    }
    expect(() => registerExportSection({ name: "conversations", load: async () => [] })).toThrow(/built-in/);
  });

  it("the usage section (registered by lib/usage) holds my metered calls, not anyone else's", async () => {
    const row = (p: Principal, id: string, model: string) => ({
      id, orgId: p.orgId, userId: p.userId, requestId: `req-${id}`, agent: "aggregator", deploymentId: "offline", provider: "offline", model,
      inputTokens: 10, outputTokens: 20, costUsd: "0.0000123456", defaultPriced: true, at: new Date("2026-11-30T10:00:00Z"),
    });
    await t.db.prisma.usageRecord.createMany({ data: [row(alice, crypto.randomUUID(), "alice-model"), row(dan, crypto.randomUUID(), "dan-model")] });
    registerUsageExport();
    try {
      const archive = await buildExportArchive(alice);
      expect(archive.usage).toEqual([expect.objectContaining({ model: "alice-model", agent: "aggregator", inputTokens: 10, outputTokens: 20, costUsd: "0.0000123456", defaultPriced: true, at: "2026-11-30T10:00:00.000Z" })]);
      expect(JSON.stringify(archive)).not.toContain("dan-model");
    } finally {
      unregisterExportSection("usage");
    }
  });
});
