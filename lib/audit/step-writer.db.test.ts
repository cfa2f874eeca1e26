import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { writeAuditBatch } from "@/lib/db/audit";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { auditEventsDropped, auditEventsQuarantined, auditWriteRetries } from "@/lib/observability/metrics";
import type { AuditEventInput } from "./events";
import { enqueueAuditEvent, flushAuditSteps, pendingAuditSteps, replaceAuditBatchWriterForTests, setAuditQueueLimitForTests } from "./step-writer";

let t: TestDatabase;
let orgId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  orgId = (await seededUser(t.db, "alice@acme.test")).orgId;
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

  it("the queue is bounded: past the bound the oldest are dropped and counted, the backlog is the pending gauge", async () => {
    const requestId = `req-${randomUUID()}`;
    const dropped = await value(auditEventsDropped);
    const restoreWriter = replaceAuditBatchWriterForTests(async () => {
      throw unavailable();
    });
    const restoreLimit = setAuditQueueLimitForTests(5);
    try {
      for (let i = 0; i < 8; i++) enqueueAuditEvent(step(requestId, i));
      await flushAuditSteps();
      expect(pendingAuditSteps()).toBe(5);
      expect(await value(auditEventsDropped)).toBe(dropped + 3);
    } finally {
      restoreWriter();
      restoreLimit();
    }
    await flushAuditSteps();
    expect(await stored(requestId)).toEqual([3, 4, 5, 6, 7]);
  });
});
