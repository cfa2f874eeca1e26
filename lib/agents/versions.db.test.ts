import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { db } from "@/lib/db";
import { expectAppError } from "@/lib/admin/test-helpers";
import type { Principal } from "@/lib/principal";
import { DEFAULT_AGENTS } from "./defaults";
import { getAgent, listAgents, loadAgentSet, rollbackAgent, saveAgentVersion } from "./versions";

// The audit write can be made to fail, to prove a version and its audit event commit together.
const auditFault = vi.hoisted(() => ({ on: false }));
vi.mock("@/lib/db/audit", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/db/audit")>();
  return {
    ...real,
    writeAudit: async (...args: Parameters<typeof real.writeAudit>) => {
      if (auditFault.on) throw new Error("the audit write failed (test)");
      return real.writeAudit(...args);
    },
  };
});

let t: TestDatabase;
let carol: Principal;
let carol2: Principal;
let erin: Principal;
let alice: Principal;
let acmeId: string;

const body = (over: Record<string, unknown> = {}) => ({
  baseVersion: 0,
  instructions: DEFAULT_AGENTS.writing.instructions,
  tier: "small",
  timeoutMs: 45_000,
  enabled: true,
  allowedRoles: [],
  ...over,
});
const versionsOf = (orgId: string, agentId: string) =>
  t.db.prisma.agentVersion.findMany({ where: { orgId, agentId }, orderBy: { version: "asc" } });
const auditOf = (orgId: string, agentId: string) =>
  t.db.prisma.auditEvent.findMany({ where: { orgId, targetType: "agent", targetId: agentId }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  t = await createTestDatabase();
  const c = await seededUser(t.db, "carol@acme.test");
  carol = principalFor(c);
  // Carol again in another browser: the second admin of the stale-save tests.
  carol2 = principalFor(c, { sessionId: "second-tab" });
  erin = principalFor(await seededUser(t.db, "erin@globex.test"));
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  acmeId = c.orgId;
}, 60_000);
afterAll(async () => t?.dispose());

describe(`admin-versioned agents (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("starts from the built-in defaults (version 0) for every agent", async () => {
    const set = await loadAgentSet(carol);
    expect(set).toEqual(DEFAULT_AGENTS);
    const list = await listAgents(carol);
    expect(list.items.map((a) => [a.id, a.current.version, a.current.savedBy])).toEqual([
      ["orchestrator", 0, null],
      ["research", 0, null],
      ["calculation", 0, null],
      ["writing", 0, null],
      ["aggregator", 0, null],
    ]);
  });

  it("every save is a new version with who and when, a diff to the previous one, and agent.updated in the same transaction", async () => {
    const v1 = await saveAgentVersion(carol, { id: "research", body: body({ instructions: "Line one\nLine two\nLine three" }) }, { requestId: "r-1" });
    expect(v1).toMatchObject({ version: 1, savedBy: { id: carol.userId, name: "Carol Chen" }, instructions: "Line one\nLine two\nLine three" });
    expect(Date.parse(v1.savedAt!)).toBeGreaterThan(Date.now() - 60_000);
    const v2 = await saveAgentVersion(carol, {
      id: "research",
      body: body({ baseVersion: 1, instructions: "Line one\nLine 2\nLine three", tier: "large", allowedRoles: ["manager", "admin"] }),
    });
    expect(v2.version).toBe(2);

    // The very next turn on this instance runs with it (no cache to wait out).
    const set = await loadAgentSet(carol);
    expect(set.research).toEqual({
      id: "research",
      version: 2,
      instructions: "Line one\nLine 2\nLine three",
      tier: "large",
      timeoutMs: 45_000,
      enabled: true,
      allowedRoles: ["manager", "admin"],
    });
    expect(set.writing).toEqual(DEFAULT_AGENTS.writing);

    const detail = await getAgent(carol, { id: "research" });
    expect(detail.current.version).toBe(2);
    expect(detail.versions.items.map((v) => v.version)).toEqual([2, 1, 0]);
    expect(detail.versions.items[0]!.diff).toMatchObject({
      added: 1,
      removed: 1,
      lines: [
        { op: "same", text: "Line one" },
        { op: "del", text: "Line two" },
        { op: "add", text: "Line 2" },
        { op: "same", text: "Line three" },
      ],
      changes: [
        { field: "tier", from: "small", to: "large" },
        { field: "allowedRoles", from: [], to: ["manager", "admin"] },
      ],
    });
    // Version 1 is diffed against the built-in default; version 0 has nothing before it.
    expect(detail.versions.items[1]!.diff!.lines).toContainEqual({ op: "del", text: DEFAULT_AGENTS.research.instructions });
    expect(detail.versions.items[2]).toMatchObject({ version: 0, diff: null, savedBy: null });
    expect(detail.roles.map((r) => r.key)).toEqual(expect.arrayContaining(["member", "manager", "admin", "auditor"]));

    const events = await auditOf(acmeId, "research");
    expect(events.map((e) => e.action)).toEqual(["agent.updated", "agent.updated"]);
    expect(events[0]).toMatchObject({ actorId: carol.userId, requestId: "r-1", outcome: "success" });
    expect(events[1]!.data).toMatchObject({
      agentId: "research",
      fromVersion: 1,
      version: 2,
      instructionsChanged: true,
      linesAdded: 1,
      linesRemoved: 1,
      changes: [
        { field: "tier", from: "small", to: "large" },
        { field: "allowedRoles", from: [], to: ["manager", "admin"] },
      ],
    });
  });

  it("a save based on an older version is refused with who saved since and when; nothing is overwritten or audited", async () => {
    const mine = await saveAgentVersion(carol, { id: "calculation", body: body({ instructions: "Mine, version 1" }) });
    const auditBefore = (await auditOf(acmeId, "calculation")).length;
    // carol2 opened the editor at version 0 and saves after carol's version 1.
    const err = await expectAppError(
      saveAgentVersion(carol2, { id: "calculation", body: body({ baseVersion: 0, instructions: "Theirs, from version 0" }) }),
      "conflict",
      new RegExp(`version 1 was saved by Carol Chen at ${mine.savedAt!.replace(/[.]/g, "\\.")}`),
    );
    expect(err.status).toBe(409);
    expect(err.reason).toBe("stale_version");
    expect(err.toBody().error).toMatchObject({
      reason: "stale_version",
      details: { currentVersion: 1, baseVersion: 0, savedBy: "Carol Chen", savedAt: mine.savedAt },
    });
    const rows = await versionsOf(acmeId, "calculation");
    expect(rows.map((r) => [r.version, r.instructions])).toEqual([[1, "Mine, version 1"]]);
    expect((await auditOf(acmeId, "calculation")).length).toBe(auditBefore);
    // A base ahead of the latest is just as stale.
    await expectAppError(saveAgentVersion(carol, { id: "calculation", body: body({ baseVersion: 7, instructions: "x" }) }), "conflict", /version 1 was saved/);
  });

  it("two saves racing from the same version: exactly one wins, the other is refused as stale", async () => {
    const results = await Promise.allSettled([
      saveAgentVersion(carol, { id: "orchestrator", body: body({ instructions: "Race A", tier: "small", timeoutMs: 15_000 }) }),
      saveAgentVersion(carol2, { id: "orchestrator", body: body({ instructions: "Race B", tier: "small", timeoutMs: 15_000 }) }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: "conflict", reason: "stale_version" });
    const rows = await versionsOf(acmeId, "orchestrator");
    expect(rows).toHaveLength(1);
    expect((await auditOf(acmeId, "orchestrator")).length).toBe(1);
  });

  it("refuses invalid input with a message naming the field, and writes nothing", async () => {
    const before = (await versionsOf(acmeId, "writing")).length;
    const auditBefore = (await auditOf(acmeId, "writing")).length;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ instructions: "" }, "instructions", /empty/],
      [{ instructions: "  \n\t " }, "instructions", /empty/],
      [{ instructions: "x".repeat(20_001) }, "instructions", /longer than 20,000 characters/],
      [{ instructions: "bad\u0000text" }, "instructions", /NUL/],
      [{ instructions: 42 }, "instructions", /text/],
      [{ tier: "huge" }, "tier", /small.*large/],
      [{ timeoutMs: 999 }, "timeoutMs", /at least 1000/],
      [{ timeoutMs: 600_001 }, "timeoutMs", /at most 600000/],
      [{ timeoutMs: 1.5 }, "timeoutMs", /whole/],
      [{ enabled: "yes" }, "enabled", /true or false/],
      [{ allowedRoles: ["nope"] }, "allowedRoles.0", /no role “nope” in this org/],
      [{ allowedRoles: "admin" }, "allowedRoles", /list/],
      [{ baseVersion: -1 }, "baseVersion", /0 or more/],
    ];
    for (const [over, field, message] of cases) {
      const err = await expectAppError(saveAgentVersion(carol, { id: "writing", body: body(over) }), "validation_failed");
      expect(err.status).toBe(422);
      expect(err.fields?.[0]?.field, JSON.stringify(over).slice(0, 60)).toBe(field);
      expect(err.fields?.[0]?.message).toMatch(message);
      expect(err.message).toContain(field);
    }
    // The aggregator writes every answer: it can be neither disabled nor restricted.
    await expectAppError(saveAgentVersion(carol, { id: "aggregator", body: body({ enabled: false }) }), "validation_failed", /cannot be disabled/);
    await expectAppError(saveAgentVersion(carol, { id: "aggregator", body: body({ allowedRoles: ["admin"] }) }), "validation_failed", /cannot be restricted/);
    expect((await versionsOf(acmeId, "writing")).length).toBe(before);
    expect((await versionsOf(acmeId, "aggregator")).length).toBe(0);
    expect((await auditOf(acmeId, "writing")).length).toBe(auditBefore);

    // Exactly 20,000 characters is allowed; a custom role of the org may be allowed.
    await t.db.prisma.role.create({ data: { orgId: acmeId, key: "writers", name: "Writers", permissions: ["chat.send"] } });
    const ok = await saveAgentVersion(carol, {
      id: "writing",
      body: body({ baseVersion: before, instructions: "y".repeat(20_000), allowedRoles: ["writers", "admin", "writers"] }),
    });
    expect(ok).toMatchObject({ version: before + 1, allowedRoles: ["writers", "admin"] });
    expect(ok.instructions).toHaveLength(20_000);
  });

  it("an unknown agent is not found", async () => {
    await expectAppError(saveAgentVersion(carol, { id: "hacker", body: body() }), "not_found");
    await expectAppError(getAgent(carol, { id: "__proto__" }), "not_found");
    await expectAppError(rollbackAgent(carol, { id: "toString", body: { toVersion: 0, baseVersion: 0 } }), "not_found");
  });

  it("a failed audit write leaves no version behind (the same transaction)", async () => {
    const before = await versionsOf(acmeId, "writing");
    const auditBefore = (await auditOf(acmeId, "writing")).length;
    auditFault.on = true;
    try {
      await expect(
        saveAgentVersion(carol, { id: "writing", body: body({ baseVersion: before.length, instructions: "Never stored" }) }),
      ).rejects.toThrow(/audit write failed/);
    } finally {
      auditFault.on = false;
    }
    expect(await versionsOf(acmeId, "writing")).toEqual(before);
    expect((await auditOf(acmeId, "writing")).length).toBe(auditBefore);
  });

  it("a rollback is a new version copying an old one, with agent.rolled_back; it is based on the latest like any save", async () => {
    const v1 = await saveAgentVersion(carol, { id: "writing", body: body({ baseVersion: (await versionsOf(acmeId, "writing")).length, instructions: "Old text" }) });
    const v2 = await saveAgentVersion(carol, { id: "writing", body: body({ baseVersion: v1.version, instructions: "New text", timeoutMs: 20_000 }) });
    const back = await rollbackAgent(carol, { id: "writing", body: { toVersion: v1.version, baseVersion: v2.version } }, { requestId: "rb" });
    expect(back).toMatchObject({ version: v2.version + 1, instructions: "Old text", timeoutMs: 45_000, rolledBackFrom: v1.version });
    expect((await loadAgentSet(carol)).writing).toMatchObject({ version: back.version, instructions: "Old text" });
    const events = await auditOf(acmeId, "writing");
    expect(events.at(-1)).toMatchObject({ action: "agent.rolled_back", requestId: "rb" });
    expect(events.at(-1)!.data).toMatchObject({ toVersion: v1.version, fromVersion: v2.version, version: back.version });

    // Back to the built-in default (version 0).
    const toDefault = await rollbackAgent(carol, { id: "writing", body: { toVersion: 0, baseVersion: back.version } });
    expect(toDefault).toMatchObject({ instructions: DEFAULT_AGENTS.writing.instructions, rolledBackFrom: 0 });

    // Stale, missing or invalid: refused, nothing written.
    const count = (await versionsOf(acmeId, "writing")).length;
    await expectAppError(rollbackAgent(carol2, { id: "writing", body: { toVersion: v1.version, baseVersion: v2.version } }), "conflict", /saved by Carol Chen/);
    await expectAppError(rollbackAgent(carol, { id: "writing", body: { toVersion: 999, baseVersion: toDefault.version } }), "not_found", /Version 999/);
    await expectAppError(rollbackAgent(carol, { id: "writing", body: { toVersion: "1", baseVersion: toDefault.version } }), "validation_failed", /toVersion/);
    expect((await versionsOf(acmeId, "writing")).length).toBe(count);
  });

  it("a rollback to a version allowing a role that was since deleted is refused (it would not open the agent to everyone)", async () => {
    await t.db.prisma.role.create({ data: { orgId: acmeId, key: "temp", name: "Temp", permissions: ["chat.send"] } });
    const base = (await versionsOf(acmeId, "research")).length;
    const v = await saveAgentVersion(carol, { id: "research", body: body({ baseVersion: base, allowedRoles: ["temp"] }) });
    const v2 = await saveAgentVersion(carol, { id: "research", body: body({ baseVersion: v.version, allowedRoles: [] }) });
    await t.db.prisma.role.delete({ where: { orgId_key: { orgId: acmeId, key: "temp" } } });
    await expectAppError(
      rollbackAgent(carol, { id: "research", body: { toVersion: v.version, baseVersion: v2.version } }),
      "validation_failed",
      /no role “temp”/,
    );
  });

  it("pages the history newest first, each item diffed against the one before it", async () => {
    let base = (await versionsOf(acmeId, "calculation")).length;
    for (let i = 0; i < 12; i++) {
      base = (await saveAgentVersion(carol, { id: "calculation", body: body({ baseVersion: base, instructions: `Text ${i}` }) })).version;
    }
    const first = await getAgent(carol, { id: "calculation" });
    expect(first.versions.items.map((v) => v.version)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    expect(first.versions.nextCursor).toBe("4");
    // The oldest item of the page is diffed against the one under it (not on this page).
    expect(first.versions.items.at(-1)!.diff!.lines).toEqual([
      { op: "del", text: "Text 1" },
      { op: "add", text: "Text 2" },
    ]);
    const second = await getAgent(carol, { id: "calculation", cursor: first.versions.nextCursor });
    expect(second.current.version).toBe(13);
    expect(second.versions.items.map((v) => v.version)).toEqual([3, 2, 1, 0]);
    expect(second.versions.nextCursor).toBeNull();
    await expectAppError(getAgent(carol, { id: "calculation", cursor: "abc" }), "validation_failed", /cursor/);
  });

  it("another org's versions are invisible: its admin sees the defaults, cannot roll back to Acme's versions, and saves its own", async () => {
    expect(await loadAgentSet(erin)).toEqual(DEFAULT_AGENTS);
    const list = await listAgents(erin);
    expect(list.items.every((a) => a.current.version === 0)).toBe(true);
    const detail = await getAgent(erin, { id: "writing" });
    expect(detail.versions.items.map((v) => v.version)).toEqual([0]);
    expect(detail.roles.map((r) => r.key)).not.toContain("writers");
    await expectAppError(rollbackAgent(erin, { id: "writing", body: { toVersion: 1, baseVersion: 0 } }), "not_found");
    // Acme's custom role is not a role of Globex.
    await expectAppError(saveAgentVersion(erin, { id: "writing", body: body({ allowedRoles: ["writers"] }) }), "validation_failed", /no role “writers”/);
    const own = await saveAgentVersion(erin, { id: "writing", body: body({ instructions: "Globex writer" }) });
    expect(own.version).toBe(1);
    expect((await loadAgentSet(carol)).writing.instructions).not.toBe("Globex writer");
    expect((await loadAgentSet(erin)).writing).toMatchObject({ version: 1, instructions: "Globex writer" });
  });

  it("loadAgentSet costs one statement per turn (figures printed, not asserted)", async () => {
    const n = 200;
    const started = performance.now();
    for (let i = 0; i < n; i++) await loadAgentSet(carol);
    const ms = (performance.now() - started) / n;
    console.log(`loadAgentSet (${process.env.ENCLAVE_TEST_DB}, ${(await t.db.prisma.agentVersion.count())} saved versions): ${ms.toFixed(2)} ms per call over ${n} calls`);
    expect((await loadAgentSet(carol)).calculation.version).toBeGreaterThan(0);
  });

  it("a member without agent.edit gets not found from every use case", async () => {
    await expectAppError(listAgents(alice), "not_found");
    await expectAppError(getAgent(alice, { id: "writing" }), "not_found");
    await expectAppError(saveAgentVersion(alice, { id: "writing", body: body() }), "not_found");
    await expectAppError(rollbackAgent(alice, { id: "writing", body: { toVersion: 0, baseVersion: 0 } }), "not_found");
    // The turn still runs with the org's agents for her.
    expect((await loadAgentSet(alice)).research.version).toBeGreaterThan(0);
  });

  it("the reply records the agent versions it used", async () => {
    const conversationId = randomUUID();
    const replyId = randomUUID();
    const messages = db.for(alice).messages;
    await messages.startTurn({
      conversationId,
      title: "Versions",
      userMessage: { id: randomUUID(), parts: [{ type: "text", text: "hello" }], createdAt: new Date() },
      assistantMessage: { id: replyId, model: "offline", createdAt: new Date(Date.now() + 1) },
    });
    const versions = { orchestrator: 1, writing: 4, aggregator: 0 };
    expect(await messages.finish(replyId, { parts: [{ type: "text", text: "hi" }], status: "complete", agentVersions: versions })).toBe(true);
    const stored = await messages.listForConversation(conversationId, { limit: 10 });
    expect(stored.find((m) => m.id === replyId)?.agentVersions).toEqual(versions);
    expect(stored.find((m) => m.role === "user")?.agentVersions).toBeNull();
  });
});
