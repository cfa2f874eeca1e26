import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { writeAuditBatch } from "@/lib/db/audit";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { admitTurn } from "@/lib/limits/admission";
import { AppError } from "@/lib/errors/app-error";
import { principalFor } from "@/lib/db/test-principals";
import { auditEventsDropped, auditEventsQuarantined, auditWriteRetries } from "@/lib/observability/metrics";
import type { AuditEventInput } from "@/lib/audit-record/events";
import {
  auditBacklogState,
  enqueueAuditEvent,
  flushAuditSteps,
  pendingAuditSteps,
  replaceAuditBatchWriterForTests,
  setAuditBacklogLimitForTests,
} from "./step-writer";

let t: TestDatabase;
let orgId: string;
let alice: ReturnType<typeof principalFor>;
beforeAll(async () => {
  t = await createTestDatabase();
  const user = await seededUser(t.db, "alice@acme.test");
  orgId = user.orgId;
  alice = principalFor(user);
});
afterAll(async () => t?.dispose());

const value = async (c: { get(): Promise<{ values: Array<{ value: number }> }> }) => (await c.get()).values[0]?.value ?? 0;
const step = (requestId: string, i: number, over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  orgId,
  actorId: null,
  requestId,
  action: "chat.model_call",
  data: { i },
  ...over,
});
const stored = (requestId: string) =>
  t.db.prisma.auditEvent.findMany({ where: { requestId }, orderBy: { pos: "asc" } }).then((rows) => rows.map((r) => (r.data as { i: number }).i));
const unavailable = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

describe(`the chat-turn audit writer (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("one bad event does not drop its batch: the others are written, the bad one is quarantined and counted", async () => {
    const requestId = `req-${randomUUID()}`;
    const quarantined = await value(auditEventsQuarantined);
    for (let i = 0; i < 10; i++) enqueueAuditEvent(step(requestId, i, i === 4 ? { orgId: "no-such-org" } : {}));
    await flushAuditSteps();
    expect(await stored(requestId)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect(await value(auditEventsQuarantined)).toBe(quarantined + 1);
    expect(pendingAuditSteps()).toBe(0);
  });

  it("while the database is unavailable, batches wait and are retried with backoff, in order, until written", async () => {
    const requestId = `req-${randomUUID()}`;
    const retries = await value(auditWriteRetries);
    let failures = 3;
    const restore = replaceAuditBatchWriterForTests(async (batch) => {
      if (failures-- > 0) throw unavailable();
      return writeAuditBatch(batch);
    });
    try {
      for (let i = 0; i < 5; i++) enqueueAuditEvent(step(requestId, i));
      await new Promise((r) => setTimeout(r, 60)); // the first flush fails
      for (let i = 5; i < 8; i++) enqueueAuditEvent(step(requestId, i));
      await expect.poll(() => stored(requestId), { timeout: 5_000, interval: 50 }).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(await value(auditWriteRetries)).toBeGreaterThanOrEqual(retries + 3);
      expect(pendingAuditSteps()).toBe(0);
    } finally {
      restore();
    }
  });

  it("a flood drops nothing: past the bound the writer is behind and admission refuses new turns with 503 + Retry-After until it catches up", async () => {
    const requestId = `req-${randomUUID()}`;
    const dropped = await value(auditEventsDropped);
    let databaseUp = false;
    const restoreWriter = replaceAuditBatchWriterForTests(async (batch) => {
      if (!databaseUp) throw unavailable();
      return writeAuditBatch(batch);
    });
    const restoreLimit = setAuditBacklogLimitForTests(1_000);
    const N = 5_000;
    try {
      // Another process's turns flood the queue while the database is away.
      for (let i = 0; i < N; i++) enqueueAuditEvent(step(requestId, i));
      await flushAuditSteps();
      expect(pendingAuditSteps()).toBe(N); // all kept, none dropped
      const state = auditBacklogState();
      expect(state).toMatchObject({ pending: N, limit: 1_000, behind: true });
      expect(state.retryAfterSeconds).toBeGreaterThanOrEqual(1);

      const refused = await admitTurn(alice).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(AppError);
      const err = refused as AppError;
      expect(err.code).toBe("unavailable");
      expect(err.reason).toBe("audit_backlog");
      const res = err.toResponse();
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await res.json()).error).toMatchObject({ code: "unavailable", reason: "audit_backlog" });

      databaseUp = true;
      const t0 = performance.now();
      await flushAuditSteps();
      console.log(`audit flood: ${N} events written in ${Math.round(performance.now() - t0)} ms once the database was back`);
      expect(auditBacklogState().behind).toBe(false);
      const admitted = await admitTurn(alice);
      admitted.release();
    } finally {
      restoreWriter();
      restoreLimit();
    }
    const rows = await stored(requestId);
    expect(rows).toHaveLength(N);
    expect(rows).toEqual(Array.from({ length: N }, (_, i) => i)); // every one, in order
    expect(await value(auditEventsDropped)).toBe(dropped);
  });
});
