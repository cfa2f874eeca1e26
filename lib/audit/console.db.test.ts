import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import { runChatTurn } from "@/lib/chat/turn";
import { resetEnvCache } from "@/lib/config/env";
import { db } from "@/lib/db";
import { createTestDatabase, insertAuditFixtures, type TestDatabase } from "@/lib/db/testing";
import { signedIn } from "@/lib/db/test-sessions";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { resetSigner } from "./checkpoints";
import {
  csvCell,
  csvLine,
  EXPORT_COLUMNS,
  exportAuditCheckpoints,
  exportAuditEvents,
  getAuditEvent,
  listAuditActors,
  listAuditEvents,
  streamOfChunks,
  verifyAuditChain,
  type AuditEventSummary,
} from "./console";
import { drainAudit } from "./maintenance";
import { installAuditTurnSink } from "./turn-sink";

/**
 * The audit console's use cases on a real database (PGlite and PostgreSQL). Fixture events are
 * dated in March 2001, so filters that include that range see exactly them, whatever else
 * (sign-ins, the console's own exports) the trail holds.
 */

let t: TestDatabase;
let ivan: Principal; // Acme auditor
let carol: Principal; // Acme admin
let alice: Principal; // Acme member
let erin: Principal; // Globex admin
let mock: MockOpenAIServer;
const saved = { ...process.env };

const BASE = Date.parse("2001-03-01T00:00:00.000Z");
const RANGE = { from: "2001-03-01", to: "2001-04-01" };
const ACTIONS = [
  "chat.request_received",
  "chat.model_call",
  "user.role_changed",
  "auth.sign_in",
  "team.created",
] as const;

interface Fixture {
  id: string;
  orgId: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: "success" | "failure";
  createdAt: Date;
  requestId: string;
}

let acme: Fixture[] = [];
let globex: Fixture[] = [];

async function insertFixtures(): Promise<void> {
  const danId = (await t.db.prisma.user.findUniqueOrThrow({ where: { email: "dan@acme.test" } })).id;
  const actors = [alice.userId, danId, null];
  acme = Array.from({ length: 60 }, (_, i) => {
    const action = ACTIONS[i % ACTIONS.length]!;
    const chat = action.startsWith("chat.");
    return {
      id: `fx-acme-${String(i).padStart(3, "0")}-${randomUUID().slice(0, 6)}`,
      orgId: alice.orgId,
      actorId: actors[i % 3]!,
      action,
      targetType: chat ? "conversation" : action === "auth.sign_in" ? null : "user",
      targetId: chat ? (i % 2 === 0 ? "conv-a" : "conv-b") : action === "auth.sign_in" ? null : danId,
      outcome: i % 7 === 0 ? "failure" : "success",
      // Not in insertion order: the list is ordered by insertion (pos), never by time.
      createdAt: new Date(BASE + ((i * 37) % 60) * 60_000),
      requestId: `fx-req-${Math.floor(i / 5)}`,
    };
  });
  globex = Array.from({ length: 6 }, (_, i) => ({
    id: `fx-globex-${i}-${randomUUID().slice(0, 6)}`,
    orgId: erin.orgId,
    actorId: erin.userId,
    action: "chat.request_received",
    targetType: "conversation",
    targetId: "conv-a",
    outcome: "success",
    createdAt: new Date(BASE + i * 60_000),
    // The same request ids as Acme's: timelines must still not cross orgs.
    requestId: `fx-req-${i}`,
  }));
  // In array order, so insertion order (pos) is the array order.
  await insertAuditFixtures(t.db, [...acme, ...globex].map((f) => ({ ...f, data: { fixture: true } })));
}

function expectedIds(pred: (f: Fixture) => boolean): string[] {
  return acme
    .filter(pred)
    .reverse()
    .map((f) => f.id); // newest (highest pos) first
}

async function all(p: Principal, filters: Record<string, string>, limit = 200): Promise<AuditEventSummary[]> {
  const out: AuditEventSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAuditEvents(p, {
      ...filters,
      limit: String(limit),
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

async function errorOf(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** A small RFC 4180 reader, to check the export the way a spreadsheet would read it. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && s[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

beforeAll(async () => {
  process.env.AUDIT_SIGNING_KEY = "console-test-signing-key-0123456789";
  resetEnvCache();
  resetSigner();
  t = await createTestDatabase();
  ivan = await signedIn(t.db, "ivan@acme.test");
  carol = await signedIn(t.db, "carol@acme.test");
  alice = await signedIn(t.db, "alice@acme.test");
  erin = await signedIn(t.db, "erin@globex.test");
  await insertFixtures();
  mock = await startMockOpenAI({ port: 0 });
  installAuditTurnSink();
});
afterAll(async () => {
  await mock?.close();
  await t?.dispose();
});
beforeEach(() => {
  Object.assign(process.env, {
    OPENAI_BASE_URL: mock.url,
    MODEL_LARGE: "mock-large",
    MODEL_MAX_RETRIES: "0",
  });
  resetEnvCache();
});
afterEach(() => {
  process.env = { ...saved, AUDIT_SIGNING_KEY: "console-test-signing-key-0123456789" };
  resetEnvCache();
});

describe(`audit console (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("lists the org's events newest first, with actors' names and seal state", async () => {
    const items = await all(ivan, RANGE);
    expect(items.map((e) => e.id)).toEqual(expectedIds(() => true));
    const byAlice = items.find((e) => e.actorId === alice.userId)!;
    expect(byAlice.actor).toEqual({ id: alice.userId, name: alice.name, email: alice.email });
    expect(items.find((e) => e.actorId === null)!.actor).toBeNull();
    expect(items.every((e) => typeof e.pos === "string" && typeof e.createdAt === "string")).toBe(true);
    expect(items[0]!.sealed).toBe(false);
    await drainAudit();
    const sealed = await all(carol, RANGE);
    expect(sealed.every((e) => e.sealed && /^\d+$/.test(e.seq!))).toBe(true);
  });

  it("filters by person, action (exact, prefix, several), conversation, outcome and time range", async () => {
    const ids = async (f: Record<string, string>) => (await all(ivan, { ...RANGE, ...f })).map((e) => e.id);
    expect(await ids({ user: alice.userId })).toEqual(expectedIds((f) => f.actorId === alice.userId));
    expect(await ids({ user: "system" })).toEqual(expectedIds((f) => f.actorId === null));
    expect(await ids({ action: "chat." })).toEqual(expectedIds((f) => f.action.startsWith("chat.")));
    expect(await ids({ action: "chat.*" })).toEqual(expectedIds((f) => f.action.startsWith("chat.")));
    expect(await ids({ action: "auth.sign_in" })).toEqual(expectedIds((f) => f.action === "auth.sign_in"));
    expect(await ids({ action: "auth.sign" })).toEqual([]); // not a prefix without "." or "*"
    expect(await ids({ action: "user.,team." })).toEqual(
      expectedIds((f) => f.action.startsWith("user.") || f.action.startsWith("team.")),
    );
    expect(await ids({ conversation: "conv-a" })).toEqual(
      expectedIds((f) => f.targetType === "conversation" && f.targetId === "conv-a"),
    );
    expect(await ids({ outcome: "failure" })).toEqual(expectedIds((f) => f.outcome === "failure"));
    // from is inclusive, to exclusive.
    const from = new Date(BASE + 10 * 60_000);
    const to = new Date(BASE + 20 * 60_000);
    expect(await ids({ from: from.toISOString(), to: to.toISOString() })).toEqual(
      expectedIds((f) => f.createdAt >= from && f.createdAt < to),
    );
    expect(await ids({ from: "2001-03-01T00:10", to: "2001-03-01T02:20+02:00" })).toEqual(
      expectedIds((f) => f.createdAt >= from && f.createdAt < to),
    );
    expect(
      await ids({ user: alice.userId, action: "chat.", conversation: "conv-a", outcome: "success" }),
    ).toEqual(
      expectedIds(
        (f) =>
          f.actorId === alice.userId &&
          f.action.startsWith("chat.") &&
          f.targetId === "conv-a" &&
          f.outcome === "success",
      ),
    );
  });

  it("pages visit every row exactly once, also while new events arrive", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listAuditEvents(ivan, { ...RANGE, limit: 7, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((e) => e.id));
      if (pages === 1) {
        // Written between two pages: newer than the cursor, so it is not visited (nor anything twice).
        await insertAuditFixtures(t.db, [
          {
            orgId: alice.orgId,
            actorId: alice.userId,
            action: "auth.sign_in",
            createdAt: new Date(BASE + 5_000),
          },
        ]);
      }
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(acme.length / 7));
    expect(seen).toEqual(expectedIds(() => true));
    expect(new Set(seen).size).toBe(acme.length);
  });

  it("bad filters are refused with the field named", async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ from: "yesterday" }, 422, "from"],
      [{ from: "2026-02-31" }, 422, "from"],
      [{ to: "2026-01-01T25:00Z" }, 422, "to"],
      [{ from: "2026-02-01", to: "2026-01-01" }, 422, "to"],
      [{ action: "chat.'; DROP TABLE" }, 422, "action"],
      [{ outcome: "maybe" }, 422, "outcome"],
      [{ user: "../etc" }, 422, "user"],
      [{ conversation: "a b" }, 422, "conversation"],
      [{ limit: "0" }, 422, "limit"],
      [{ limit: "500" }, 422, "limit"],
      [{ cursor: "not-a-cursor" }, 400, "cursor"],
      // Dates JavaScript accepts but PostgreSQL cannot store (no year 0): a 4xx, not a database error.
      [{ from: "0000-01-01" }, 422, "from"],
      [{ to: "0000-12-31T23:59Z" }, 422, "to"],
      [{ from: "1969-12-31" }, 422, "from"],
      [{ cursor: "bad\u0000cursor" }, 422, "cursor"],
    ];
    for (const [input, status, field] of cases) {
      const e = await errorOf(() => listAuditEvents(ivan, input));
      expect(e.status, JSON.stringify(input)).toBe(status);
      expect(e.fields?.map((f) => f.field)).toContain(field);
      expect(e.message).toContain(field);
    }
    expect((await errorOf(() => exportAuditEvents(ivan, { format: "xlsx" }))).fields?.[0]?.field).toBe(
      "format",
    );
    // The export validates before it answers 200 and starts streaming.
    const year0 = await errorOf(() => exportAuditEvents(ivan, { format: "csv", from: "0000-01-01" }));
    expect(year0.status).toBe(422);
    expect(year0.fields?.[0]?.field).toBe("from");
    expect((await errorOf(() => exportAuditEvents(ivan, { from: "soon" }))).status).toBe(422);
  });

  it("one org never sees another's events, ids, request timelines or people", async () => {
    const erinSees = await all(erin, RANGE);
    expect(erinSees.map((e) => e.id).sort()).toEqual(globex.map((f) => f.id).sort());
    expect(erinSees.every((e) => !e.id.startsWith("fx-acme-"))).toBe(true);
    expect((await all(erin, {})).some((e) => acme.some((f) => f.id === e.id))).toBe(false);
    expect((await errorOf(() => getAuditEvent(erin, { id: acme[0]!.id }))).status).toBe(404);
    expect((await errorOf(() => getAuditEvent(ivan, { id: globex[0]!.id }))).status).toBe(404);
    expect((await errorOf(() => getAuditEvent(ivan, { id: "../../x" }))).status).toBe(404);
    // Same request id in both orgs: each timeline holds only its own org's events.
    const g = await getAuditEvent(erin, { id: globex[1]!.id });
    expect(g.timeline.map((e) => e.id)).toEqual([globex[1]!.id]);
    expect(await db.for(erin).audit.timeline("fx-req-1")).toHaveLength(1);
    expect(
      (await db.for(ivan).audit.timeline("fx-req-1")).every((e) => acme.some((f) => f.id === e.id)),
    ).toBe(true);
    const actors = await listAuditActors(ivan);
    expect(actors.map((a) => a.email)).toEqual(expect.arrayContaining(["alice@acme.test", "dan@acme.test"]));
    expect(actors.some((a) => a.email.endsWith("@globex.test"))).toBe(false);
    expect((await listAuditActors(erin)).map((a) => a.email)).toEqual(["erin@globex.test"]);
    // Exports are bound the same way.
    const out = await exportAuditEvents(erin, { ...RANGE, format: "jsonl" });
    const lines = (await text(streamOfChunks(out.chunks))).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { orgId: string }).orgId)).toEqual(
      globex.map(() => erin.orgId),
    );
  });

  it("people without audit.read get not_found from every use case", async () => {
    for (const fn of [
      () => listAuditEvents(alice, {}),
      () => getAuditEvent(alice, { id: acme[0]!.id }),
      () => listAuditActors(alice),
      () => exportAuditEvents(alice, {}),
      () => verifyAuditChain(alice),
      () => exportAuditCheckpoints(alice),
    ]) {
      expect((await errorOf(fn)).status).toBe(404);
    }
  });

  it("a chat turn's event opens with its steps in order: received, model call, plan, model call, tool call, …, aggregate, completed", async () => {
    const conversationId = `console-${randomUUID().slice(0, 8)}`;
    const requestId = `req-console-${randomUUID().slice(0, 8)}`;
    const tr = await runChatTurn(
      alice,
      {
        id: conversationId,
        message: {
          id: `${conversationId}-m`,
          role: "user",
          parts: [{ type: "text", text: "Time? [[mock:tool=clock]]" }],
        },
      },
      { requestId },
    );
    const reader = tr.chunks().getReader();
    while (!(await reader.read()).done) {
      /* drain */
    }
    await tr.done;
    await drainAudit();

    const listed = await all(ivan, { user: alice.userId, action: "chat.", conversation: conversationId });
    expect(listed.length).toBeGreaterThanOrEqual(6);
    const completed = listed.find((e) => e.action === "chat.response_completed")!;
    expect(completed).toMatchObject({
      requestId,
      target: { type: "conversation", id: conversationId },
      sealed: true,
    });

    const { event, timeline } = await getAuditEvent(ivan, { id: completed.id });
    expect(event).toMatchObject({
      id: completed.id,
      orgId: alice.orgId,
      actor: { email: "alice@acme.test" },
    });
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(event.prevHash).toMatch(/^[0-9a-f]{64}$/);
    expect(timeline.map((e) => e.id).sort()).toEqual(listed.map((e) => e.id).sort());
    const steps = timeline.map((e) => e.action);
    expect(steps.filter((a) => a !== "chat.first_token")).toEqual([
      // Each step is recorded when it ends: the plan after its model call, the aggregate after its.
      "chat.request_received",
      "chat.model_call",
      "chat.plan",
      "chat.model_call",
      "chat.tool_call",
      "chat.model_call",
      "chat.aggregate",
      "chat.response_completed",
    ]);
    expect(steps).toContain("chat.first_token");
    // Ordered by time, then insertion.
    for (let i = 1; i < timeline.length; i++) {
      const [a, b] = [timeline[i - 1]!, timeline[i]!];
      expect(a.createdAt <= b.createdAt).toBe(true);
      if (a.createdAt === b.createdAt) expect(BigInt(a.pos) < BigInt(b.pos)).toBe(true);
    }
    expect(timeline.find((e) => e.action === "chat.tool_call")!.data).toMatchObject({ tool: "clock" });
    // An event without a request id has an empty timeline.
    const noRequest = await t.db.prisma.auditEvent.create({
      data: { orgId: alice.orgId, actorId: null, action: "org.settings_changed" },
    });
    expect((await getAuditEvent(ivan, { id: noRequest.id })).timeline).toEqual([]);
  });

  it("the export generator yields every matching row once, a batch at a time", async () => {
    const batches: number[] = [];
    const ids: string[] = [];
    for await (const batch of db
      .for(ivan)
      .audit.exportRows({ from: new Date(BASE), to: new Date(BASE + 3600_000) }, 7)) {
      batches.push(batch.length);
      ids.push(...batch.map((r) => r.id));
    }
    // The 60 fixtures plus the event written during the paging test.
    expect(ids.length).toBe(acme.length + 1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(batches.length).toBe(Math.ceil(ids.length / 7));
    expect(batches.every((n) => n <= 7)).toBe(true);
    const row = (
      await db
        .for(ivan)
        .audit.exportRows({ action: "team.created", from: new Date(BASE) }, 1)
        .next()
    ).value!;
    expect(row[0]).toMatchObject({ action: "team.created", data: { fixture: true }, orgId: alice.orgId });
  });

  it("CSV fields are quoted per RFC 4180 and formulas are defused", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rlf")).toBe('"cr\rlf"');
    expect(csvCell("=SUM(A1:A9)")).toBe("'=SUM(A1:A9)");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell({ a: 1, b: "x,y" })).toBe('"{""a"":1,""b"":""x,y""}"');
    expect(csvLine(["a", null, "b"])).toBe("a,,b\r\n");
  });

  it("content is shown only to holders of audit.read.content (no built-in role)", async () => {
    const ev = await t.db.prisma.auditEvent.create({
      data: { orgId: alice.orgId, actorId: alice.userId, action: "chat.request_received", content: { input: "the Q3 bonus pool" } },
    });
    for (const who of [ivan, carol]) {
      expect((await getAuditEvent(who, { id: ev.id })).event.content).toEqual({ withheld: true, reason: "needs the audit.read.content permission" });
    }
    const legalHold = { ...ivan, permissions: new Set([...ivan.permissions, "audit.read.content" as const]) };
    expect((await getAuditEvent(legalHold, { id: ev.id })).event.content).toEqual({ input: "the Q3 bonus pool" });
  });

  it("an export streams the filtered rows (CSV and JSONL) and is recorded before the first row", async () => {
    const evil = { id: `fx-evil-${randomUUID().slice(0, 8)}` };
    await insertAuditFixtures(t.db, [
      {
        id: evil.id,
        orgId: alice.orgId,
        actorId: carol.userId,
        action: "team.renamed",
        targetType: "team",
        targetId: "=cmd|' /C calc'!A0",
        data: { from: "Sales", to: '@SUM(1,2) "quoted"\nnext line' },
        content: { note: "-2+3" },
        createdAt: new Date(BASE + 61 * 60_000),
      },
    ]);
    const requestId = `req-export-${randomUUID().slice(0, 8)}`;
    const out = await exportAuditEvents(ivan, { format: "csv", action: "team.", ...RANGE }, { requestId });
    expect(out.contentType).toBe("text/csv; charset=utf-8");
    expect(out.filename).toMatch(/^enclave-audit-acme-\d{4}-\d{2}-\d{2}\.csv$/);
    // Recorded before anything was read.
    const recorded = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { requestId, action: "audit.exported" },
    });
    expect(recorded).toMatchObject({ orgId: ivan.orgId, actorId: ivan.userId, outcome: "success" });
    expect(recorded.data).toEqual({
      format: "csv",
      filters: { action: "team.", from: "2001-03-01T00:00:00.000Z", to: "2001-04-01T00:00:00.000Z" },
    });

    const rows = parseCsv(await text(streamOfChunks(out.chunks)));
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    const body = rows.slice(1);
    expect(body.map((r) => r[0])).toEqual([evil.id, ...expectedIds((f) => f.action.startsWith("team."))]);
    const col = (name: (typeof EXPORT_COLUMNS)[number]) => EXPORT_COLUMNS.indexOf(name);
    const first = body[0]!;
    expect(first[col("targetId")]).toBe("'=cmd|' /C calc'!A0");
    expect(JSON.parse(first[col("data")]!)).toEqual({ from: "Sales", to: '@SUM(1,2) "quoted"\nnext line' });
    // An auditor reads the trail, not what was said: content is withheld without audit.read.content.
    expect(JSON.parse(first[col("content")]!)).toEqual({ withheld: true, reason: "needs the audit.read.content permission" });
    expect(first[col("actorEmail")]).toBe("carol@acme.test");
    expect(body.every((r) => r.length === EXPORT_COLUMNS.length)).toBe(true);

    const json = await exportAuditEvents(ivan, {
      format: "jsonl",
      user: alice.userId,
      action: "chat.",
      ...RANGE,
    });
    expect(json.contentType).toBe("application/x-ndjson");
    const lines = (await text(streamOfChunks(json.chunks)))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(
      expectedIds((f) => f.actorId === alice.userId && f.action.startsWith("chat.")),
    );
    expect(
      lines.every(
        (l) => l.actorId === alice.userId && l.actorEmail === "alice@acme.test" && typeof l.hash === "string",
      ),
    ).toBe(true);
  });

  it("an export stopped by the client stops reading the database", async () => {
    const out = await exportAuditEvents(ivan, { ...RANGE }, {}, { batchSize: 5 });
    const reader = streamOfChunks(out.chunks).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value).trim().split("\n")).toHaveLength(5);
    await reader.cancel();
    expect(await out.chunks.next()).toEqual({ done: true, value: undefined });
  });

  it("verification reports the chain and records itself; a tampered chain names the first broken event", async () => {
    const requestId = `req-verify-${randomUUID().slice(0, 8)}`;
    const ok = await verifyAuditChain(ivan, { requestId });
    expect(ok).toMatchObject({ ok: true, orgId: ivan.orgId, firstBroken: null });
    expect(ok.checked).toBeGreaterThan(acme.length);
    const rec = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { requestId, action: "audit.verified" },
    });
    expect(rec).toMatchObject({ actorId: ivan.userId, outcome: "success" });
    expect(rec.data).toMatchObject({ ok: true, checked: ok.checked, lastSeq: ok.lastSeq, firstBroken: null });

    const cps = await exportAuditCheckpoints(carol);
    expect(cps.filename).toMatch(/^enclave-audit-checkpoints-acme-\d{4}-\d{2}-\d{2}\.json$/);
    expect(cps.body).toMatchObject({ orgId: carol.orgId, algorithm: "hmac-sha256" });

    // Tamper with a sealed fixture the way someone with superuser access could.
    const victim = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { id: acme[3]!.id } });
    await t.db.withSql(async (sql) => {
      await sql.exec(`SET session_replication_role = replica`);
      try {
        await sql.query(
          `UPDATE "AuditEvent" SET "outcome" = 'success', "data" = '{"fixture": false}'::jsonb WHERE "id" = $1`,
          [victim.id],
        );
      } finally {
        await sql.exec(`SET session_replication_role = DEFAULT`);
      }
    });
    const broken = await verifyAuditChain(ivan, { requestId: `${requestId}-2` });
    expect(broken.ok).toBe(false);
    expect(broken.firstBroken).toMatchObject({ seq: victim.seq!.toString(), eventId: victim.id });
    const rec2 = await t.db.prisma.auditEvent.findFirstOrThrow({
      where: { requestId: `${requestId}-2`, action: "audit.verified" },
    });
    expect(rec2.outcome).toBe("failure");
    expect(rec2.data).toMatchObject({ ok: false, firstBroken: { seq: victim.seq!.toString() } });
  });
});
