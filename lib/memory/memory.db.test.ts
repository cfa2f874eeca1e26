import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, seededUser, type TestDatabase, openRow, openRows } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { recall } from "@/lib/chat/stages/recall";
import type { TurnContext } from "@/lib/chat/stages/turn-context";
import {
  acceptMemory,
  addMemory,
  deleteMemory,
  editMemory,
  getPreferences,
  listMemories,
  memoryTools,
  proposeMemory,
  recallMemories,
  rejectMemory,
  updatePreferences,
} from "./index";

let t: TestDatabase;
let alice: Principal;
let dan: Principal; // same org
let frank: Principal; // other org

beforeAll(async () => {
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  dan = principalFor(await seededUser(t.db, "dan@acme.test"));
  frank = principalFor(await seededUser(t.db, "frank@globex.test"));
});
afterAll(async () => t?.dispose());

const rows = async (userId: string) => openRows("Memory", await t.db.prisma.memory.findMany({ where: { userId } }));
const ctxOf = (p: Principal) => ({ principal: p }) as TurnContext;

describe(`long-term memory (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("recall returns only the requester's own memories, even with overlapping words and identical text", async () => {
    const same = "Prefers metric units for all distances";
    const a1 = await addMemory(alice, { text: same });
    const a2 = await addMemory(alice, { text: "Works on the Q3 launch of the mobile app" });
    const d1 = await addMemory(dan, { text: same });
    const d2 = await addMemory(dan, { text: "Units of measure: imperial, launch plans for Q3" });
    const f1 = await addMemory(frank, { text: same });

    const forAlice = await recallMemories(alice, "Which units should I use for the Q3 launch distances?");
    expect(forAlice.map((m) => m.id).sort()).toEqual([a1.id, a2.id].sort());
    const forDan = await recallMemories(dan, "Which units should I use for the Q3 launch distances?");
    expect(forDan.map((m) => m.id).sort()).toEqual([d1.id, d2.id].sort());
    const forFrank = await recallMemories(frank, same);
    expect(forFrank).toEqual([{ id: f1.id, text: same }]);
    // The chat turn's recall stage asks lib/memory with the turn's principal only.
    // (identical text first; dan's other memory shares "units" and comes after it.)
    expect((await recall(ctxOf(alice), same)).map((m) => m.id)).toEqual([a1.id]);
    expect((await recall(ctxOf(dan), same)).map((m) => m.id)).toEqual([d1.id, d2.id]);
  });

  it("ranks partial overlap (any term, word prefixes) and puts the closest first; top N only", async () => {
    const p = principalFor(await seededUser(t.db, "heidi@acme.test"));
    const best = await addMemory(p, { text: "Heidi's favourite database is PostgreSQL with full text search" });
    await addMemory(p, { text: "Heidi likes databases" });
    await addMemory(p, { text: "Cats are nice" });
    const hits = await recallMemories(p, "Tell me about database search");
    expect(hits[0]?.id).toBe(best.id);
    expect(hits.map((h) => h.text)).not.toContain("Cats are nice");
    expect(hits).toHaveLength(2);
    for (let i = 0; i < 8; i++) await addMemory(p, { text: `database note ${i}` });
    expect(await recallMemories(p, "database")).toHaveLength(5);
    expect(await recallMemories(p, "database", 3)).toHaveLength(3);
    // Nothing searchable (stop words, punctuation, tsquery syntax) recalls nothing, without an error.
    expect(await recallMemories(p, "what is the ?! & | ! :*")).toEqual([]);
    expect(await recallMemories(p, "'); DROP TABLE \"Memory\"; --")).toEqual([]);
  });

  it("memory off: nothing is recalled and agents cannot save, the user still can", async () => {
    const p = principalFor(await seededUser(t.db, "bob@acme.test"));
    const m = await addMemory(p, { text: "Bob manages the sales pipeline" });
    expect((await recallMemories(p, "sales pipeline")).map((x) => x.id)).toEqual([m.id]);
    await updatePreferences(p, { memoryEnabled: false });
    expect(await recallMemories(p, "sales pipeline")).toEqual([]);
    expect(await recall(ctxOf(p), "sales pipeline")).toEqual([]);
    expect(await proposeMemory(p, { text: "Bob likes tea" })).toEqual({ saved: false, reason: "memory_off" });
    await updatePreferences(p, { memoryEnabled: true });
    expect((await recallMemories(p, "sales pipeline")).map((x) => x.id)).toEqual([m.id]);
  });

  it("CRUD: list, search, edit, delete; another user's id is 404 and changes nothing", async () => {
    const p = principalFor(await seededUser(t.db, "carol@acme.test"));
    const m1 = await addMemory(p, { text: "  Carol runs the admin console  " });
    expect(m1).toMatchObject({ text: "Carol runs the admin console", origin: "user", status: "active", sourceConversationId: null });
    const m2 = await addMemory(p, { text: "Carol prefers short answers" });
    const listed = await listMemories(p);
    expect(listed.items.map((m) => m.id)).toEqual([m2.id, m1.id]);
    expect((await listMemories(p, { q: "ADMIN" })).items.map((m) => m.id)).toEqual([m1.id]);
    const page1 = await listMemories(p, { limit: 1 });
    expect(page1.items.map((m) => m.id)).toEqual([m2.id]);
    const page2 = await listMemories(p, { limit: 1, cursor: page1.nextCursor! });
    expect(page2.items.map((m) => m.id)).toEqual([m1.id]);
    expect(page2.nextCursor).toBeNull();

    const edited = await editMemory(p, m1.id, { text: "Carol owns the admin console" });
    expect(edited.text).toBe("Carol owns the admin console");

    // Someone else's id: 404 for read-modify-delete, and the row is unchanged.
    await expect(editMemory(dan, m1.id, { text: "hijacked" })).rejects.toMatchObject({ code: "not_found" });
    await expect(deleteMemory(dan, m1.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(deleteMemory(frank, m1.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(acceptMemory(dan, m1.id)).rejects.toMatchObject({ code: "not_found" });
    expect((await listMemories(dan, { q: "Carol" })).items).toEqual([]);
    expect((await openRow("Memory", await t.db.prisma.memory.findUnique({ where: { id: m1.id } })))?.text).toBe("Carol owns the admin console");

    await deleteMemory(p, m1.id);
    await expect(deleteMemory(p, m1.id)).rejects.toMatchObject({ code: "not_found" });
    expect((await listMemories(p)).items.map((m) => m.id)).toEqual([m2.id]);

    const events = await openRows("AuditEvent", await t.db.prisma.auditEvent.findMany({ where: { targetType: "memory", targetId: m1.id }, orderBy: { pos: "asc" } }));
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ["memory.added", p.userId],
      ["memory.edited", p.userId],
      ["memory.deleted", p.userId],
    ]);
  });

  it("refuses bad input with 422 naming the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{ text: "" }, "text"],
      [{ text: "   " }, "text"],
      [{ text: "x".repeat(2001) }, "text"],
      [{ text: "nul\u0000" }, "text"],
      [{ text: 42 }, "text"],
      [{}, "text"],
      [{ text: "ok", extra: 1 }, ""],
    ];
    for (const [input, field] of cases) {
      const err = await addMemory(alice, input as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toMatchObject({ code: "validation_failed" });
      if (field) expect((err as { fields: Array<{ field: string }> }).fields[0]?.field).toBe(field);
    }
    expect((await addMemory(alice, { text: "x".repeat(2000) })).text).toHaveLength(2000);
    await expect(editMemory(alice, "nope", { status: "proposed" } as never)).rejects.toMatchObject({ code: "validation_failed", fields: [expect.objectContaining({ field: "status" })] });
    await expect(updatePreferences(alice, { memorySaveMode: "sometimes" } as never)).rejects.toMatchObject({ fields: [expect.objectContaining({ field: "memorySaveMode" })] });
    await expect(updatePreferences(alice, { defaultTier: "huge" } as never)).rejects.toMatchObject({ fields: [expect.objectContaining({ field: "defaultTier" })] });
    await expect(listMemories(alice, { limit: 0 })).rejects.toMatchObject({ fields: [expect.objectContaining({ field: "limit" })] });
  });

  it("proposals: explicit mode waits for the user (not recalled until accepted), automatic saves at once", async () => {
    const p = principalFor(await seededUser(t.db, "ivan@acme.test"));
    const conv = await t.db.prisma.conversation.create({ data: { id: crypto.randomUUID(), orgId: p.orgId, userId: p.userId, title: "t" } });
    expect((await getPreferences(p)).memorySaveMode).toBe("explicit");
    const r = await proposeMemory(p, { text: "Ivan audits the quarterly reports", conversationId: conv.id });
    expect(r).toMatchObject({ saved: true, memory: { status: "proposed", origin: "agent", sourceConversationId: conv.id } });
    const id = r.saved ? r.memory.id : "";
    expect(await recallMemories(p, "quarterly reports")).toEqual([]);
    expect((await listMemories(p, { status: "proposed" })).items.map((m) => m.id)).toEqual([id]);
    // The same text again is not a second proposal.
    expect(await proposeMemory(p, { text: "ivan audits the quarterly reports" })).toMatchObject({ saved: false, reason: "duplicate" });
    await acceptMemory(p, id);
    expect((await recallMemories(p, "quarterly reports")).map((m) => m.id)).toEqual([id]);

    const r2 = await proposeMemory(p, { text: "Ivan dislikes long meetings" });
    await expect(rejectMemory(dan, r2.saved ? r2.memory.id : "")).rejects.toMatchObject({ code: "not_found" });
    await rejectMemory(p, r2.saved ? r2.memory.id : "");
    expect((await listMemories(p, { status: "proposed" })).items).toEqual([]);
    // Accepted memories are not "proposals" to reject.
    await expect(rejectMemory(p, id)).rejects.toMatchObject({ code: "not_found" });

    await updatePreferences(p, { memorySaveMode: "automatic" });
    const r3 = await proposeMemory(p, { text: "Ivan works from Berlin" });
    expect(r3).toMatchObject({ saved: true, memory: { status: "active", origin: "agent" } });
    expect((await recallMemories(p, "Berlin")).map((m) => m.text)).toEqual(["Ivan works from Berlin"]);

    // A conversation that is not the principal's is not recorded as the source.
    const other = await t.db.prisma.conversation.create({ data: { id: crypto.randomUUID(), orgId: alice.orgId, userId: alice.userId, title: "a" } });
    const r4 = await proposeMemory(p, { text: "Ivan reads alice's notes", conversationId: other.id });
    expect(r4).toMatchObject({ saved: true, memory: { sourceConversationId: null } });
    const actions = (await t.db.prisma.auditEvent.findMany({ where: { actorId: p.userId, action: { startsWith: "memory." } }, orderBy: { pos: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["memory.proposed", "memory.accepted", "memory.proposed", "memory.rejected", "memory.added", "memory.added"]);
  });

  it("a memory saved in one user's turn is never recalled in another's, even asking with its exact text", async () => {
    const a = principalFor(await seededUser(t.db, "erin@globex.test"));
    const b = frank;
    await updatePreferences(a, { memorySaveMode: "automatic" });
    const text = "Project Nightingale ships on the 14th of March";
    const saved = (await memoryTools(a).remember.execute!({ text }, { toolCallId: "x", messages: [], context: {} })) as { saved: boolean; id: string; status: string };
    expect(saved).toMatchObject({ saved: true, status: "active" });
    expect((await recall(ctxOf(a), text)).map((m) => m.id)).toEqual([saved.id]);
    expect(await recall(ctxOf(b), text)).toEqual([]);
    const own = await addMemory(b, { text });
    expect((await recall(ctxOf(b), text)).map((m) => m.id)).toEqual([own.id]);
    await updatePreferences(a, { memorySaveMode: "explicit" });
  });

  it("the remember tool writes only for its principal", async () => {
    const erin = principalFor(await seededUser(t.db, "erin@globex.test"));
    const conv = await t.db.prisma.conversation.create({ data: { id: crypto.randomUUID(), orgId: erin.orgId, userId: erin.userId, title: "t" } });
    const { remember } = memoryTools(erin, { conversationId: conv.id });
    const before = (await rows(frank.userId)).length;
    const out = (await remember.execute!({ text: "Erin prefers metric units" }, { toolCallId: "c1", messages: [], context: {} })) as { saved: boolean; id: string; status: string };
    expect(out).toMatchObject({ saved: true, status: "proposed" });
    const stored = await openRow("Memory", await t.db.prisma.memory.findUniqueOrThrow({ where: { id: out.id } }));
    expect(stored).toMatchObject({ userId: erin.userId, orgId: erin.orgId, origin: "agent", status: "proposed", sourceConversationId: conv.id });
    expect((await rows(frank.userId)).length).toBe(before);
    // Invalid text comes back as the tool's error, not a thrown turn failure.
    const bad = (await remember.execute!({ text: "   " }, { toolCallId: "c2", messages: [], context: {} })) as { saved: boolean; error?: string };
    expect(bad.saved).toBe(false);
    expect(bad.error).toMatch(/cannot be empty/);
    await updatePreferences(erin, { memoryEnabled: false });
    expect(await remember.execute!({ text: "Erin likes jazz" }, { toolCallId: "c3", messages: [], context: {} })).toMatchObject({ saved: false });
  });

  it("preferences: defaults, partial updates, audit without the user's words in data", async () => {
    const p = principalFor(await seededUser(t.db, "heidi@acme.test"));
    expect(await getPreferences(p)).toEqual({ memoryEnabled: true, memorySaveMode: "explicit", language: null, tone: null, defaultTier: "large" });
    expect(await updatePreferences(p, { language: " Français ", tone: "concise" })).toEqual({
      memoryEnabled: true,
      memorySaveMode: "explicit",
      language: "Français",
      tone: "concise",
      defaultTier: "large",
    });
    expect(await updatePreferences(p, { defaultTier: "small", language: null })).toMatchObject({ language: null, tone: "concise", defaultTier: "small" });
    expect(await getPreferences(dan)).toMatchObject({ defaultTier: "large", tone: null });
    const ev = await openRows("AuditEvent", await t.db.prisma.auditEvent.findMany({ where: { actorId: p.userId, action: "preferences.changed" }, orderBy: { pos: "asc" } }));
    expect(ev).toHaveLength(2);
    expect(JSON.stringify(ev.map((e) => e.data))).not.toContain("Français");
  });
});
