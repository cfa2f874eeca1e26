import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { obliterateQueue } from "./bullmq";
import { bullmqAdapter, defineJob, inProcessAdapter, JobService, type JobDefinition } from "./index";

/** A gate a test opens when it wants the job to go on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const gates = new Map<string, ReturnType<typeof gate>>();
const runs: string[] = [];

const stepJob = defineJob({
  kind: "test.steps",
  payload: z.object({ name: z.string(), fail: z.boolean().optional() }).strict(),
  async run({ jobId, payload, progress }) {
    runs.push(`${payload.name}:${jobId}`);
    await progress(10);
    await gates.get(payload.name)?.opened;
    await progress(60.7);
    if (payload.fail) throw new Error(`job ${payload.name} failed on purpose`);
  },
  async describe(job) {
    return job.status === "done" ? { downloadUrl: `/x/${job.id}` } : {};
  },
});
const DEFS = [stepJob as JobDefinition];

let t: TestDatabase;
let alice: Principal;
let dan: Principal;
let carol: Principal; // admin
let frank: Principal; // other org

beforeAll(async () => {
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  dan = principalFor(await seededUser(t.db, "dan@acme.test"));
  carol = principalFor(await seededUser(t.db, "carol@acme.test"));
  frank = principalFor(await seededUser(t.db, "frank@globex.test"));
});
afterAll(async () => t?.dispose());

const ownerOf = (p: Principal, startedBy: Principal = p) => ({ orgId: p.orgId, userId: p.userId, startedById: startedBy.userId });

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe(`background jobs, in-process adapter (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("queued → running with progress → done; only the owner or the admin who started it can read it", async () => {
    const service = new JobService(inProcessAdapter({ kinds: ["test.steps"], resumeOnStart: false }), DEFS);
    const g = gate();
    gates.set("a", g);
    const { id } = await service.enqueue("test.steps", { name: "a" }, ownerOf(alice));
    expect(["queued", "running"]).toContain((await service.get(id, alice)).status);
    const running = await until(() => service.get(id, alice), (v) => v.progress === 10);
    expect(running).toEqual({ id, kind: "test.steps", status: "running", progress: 10 });
    g.open();
    await service.idle();
    expect(await service.get(id, alice)).toEqual({ id, kind: "test.steps", status: "done", progress: 100, downloadUrl: `/x/${id}` });
    for (const other of [dan, carol, frank]) await expect(service.get(id, other)).rejects.toMatchObject({ code: "not_found" });
    await expect(service.get("no-such-job", alice)).rejects.toMatchObject({ code: "not_found" });

    // An admin acting on dan: both see it; the extras (a download link) are dan's alone.
    const started = await service.enqueue("test.steps", { name: "b" }, ownerOf(dan, carol));
    await service.idle();
    expect(await service.get(started.id, dan)).toMatchObject({ status: "done", downloadUrl: `/x/${started.id}` });
    const adminView = await service.get(started.id, carol);
    expect(adminView).toEqual({ id: started.id, kind: "test.steps", status: "done", progress: 100 });
    await expect(service.get(started.id, alice)).rejects.toMatchObject({ code: "not_found" });
    await service.close();
  });

  it("a failing handler is recorded as failed with its reason; bad kinds and payloads are refused", async () => {
    const service = new JobService(inProcessAdapter({ kinds: ["test.steps"], resumeOnStart: false }), DEFS);
    const { id } = await service.enqueue("test.steps", { name: "f", fail: true }, ownerOf(alice));
    await service.idle();
    expect(await service.get(id, alice)).toEqual({ id, kind: "test.steps", status: "failed", progress: 60, error: "job f failed on purpose" });
    await expect(service.enqueue("nope", {}, ownerOf(alice))).rejects.toMatchObject({ code: "bad_request" });
    await expect(service.enqueue("test.steps", { name: 1 }, ownerOf(alice))).rejects.toMatchObject({ code: "validation_failed", fields: [expect.objectContaining({ field: "name" })] });
    await service.close();
  });

  it("jobs a stopped process left queued or running are picked up at start-up", async () => {
    const enqueuer = new JobService(inProcessAdapter({ kinds: ["test.steps"], resumeOnStart: false }), DEFS, { worker: false });
    const { id } = await enqueuer.enqueue("test.steps", { name: "left" }, ownerOf(alice));
    // As if a process died mid-job.
    await t.db.prisma.backgroundJob.update({ where: { id }, data: { status: "running", attempts: 1 } });
    const restarted = new JobService(inProcessAdapter({ kinds: ["test.steps"] }), DEFS);
    await restarted.start();
    await until(() => restarted.get(id, alice), (v) => v.status === "done");
    expect((await t.db.prisma.backgroundJob.findUniqueOrThrow({ where: { id } })).attempts).toBe(2);
    await restarted.close();
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe(`background jobs, BullMQ adapter on Redis (${process.env.ENCLAVE_TEST_DB})`, () => {
  const prefix = `enclave-test-${randomBytes(6).toString("hex")}`;
  // Its own queue: BullMQ throttles the stalled-job check queue-wide (a key that lives as long as
  // the last checker's interval), so the short interval here must not follow a default worker.
  const crashPrefix = `${prefix}-crash`;
  afterAll(async () => {
    await obliterateQueue({ url: REDIS_URL, prefix });
    await obliterateQueue({ url: REDIS_URL, prefix: crashPrefix });
  });

  it("a job enqueued on one instance is run by another's worker; status and progress from the row", async () => {
    const web = new JobService(bullmqAdapter({ url: REDIS_URL, prefix }), DEFS, { worker: false });
    const g = gate();
    gates.set("q", g);
    const { id } = await web.enqueue("test.steps", { name: "q" }, ownerOf(alice));
    expect((await web.get(id, alice)).status).toBe("queued");
    const worker = new JobService(bullmqAdapter({ url: REDIS_URL, prefix }), DEFS);
    await worker.start();
    expect(await until(() => web.get(id, alice), (v) => v.progress === 10)).toMatchObject({ status: "running" });
    g.open();
    expect(await until(() => web.get(id, alice), (v) => v.status === "done")).toEqual({ id, kind: "test.steps", status: "done", progress: 100, downloadUrl: `/x/${id}` });
    await expect(web.get(id, dan)).rejects.toMatchObject({ code: "not_found" });
    await worker.close();
    await web.close();
  });

  it("Redis unreachable: enqueue answers 503 within the submit timeout and the row says failed", { timeout: 20_000 }, async () => {
    const down = new JobService(bullmqAdapter({ url: "redis://127.0.0.1:1", prefix }), DEFS, { worker: false });
    const t0 = performance.now();
    const err = await down.enqueue("test.steps", { name: "down" }, ownerOf(alice)).catch((e: unknown) => e);
    console.log(`enqueue with Redis down refused after ${Math.round(performance.now() - t0)} ms`);
    expect(err).toMatchObject({ code: "unavailable" });
    const row = await t.db.prisma.backgroundJob.findFirstOrThrow({ where: { userId: alice.userId, payload: { equals: { name: "down" } } } });
    expect(row).toMatchObject({ status: "failed", error: "The job queue could not be reached." });
    await down.close();
  });

  it("a job whose worker died is taken over by another worker (not lost)", { timeout: 30_000 }, async () => {
    const opts = { url: REDIS_URL, prefix: crashPrefix, lockDurationMs: 1000, stalledIntervalMs: 500 };
    const g = gate();
    gates.set("crash", g);
    const first = bullmqAdapter(opts);
    const w1 = new JobService(first, DEFS);
    const { id } = await w1.enqueue("test.steps", { name: "crash" }, ownerOf(dan));
    await until(() => w1.get(id, dan), (v) => v.status === "running");
    // The first worker vanishes mid-job (no graceful close: its lock is simply no longer renewed).
    await first.crashForTests();
    gates.delete("crash"); // the second attempt runs straight through
    const w2 = new JobService(bullmqAdapter(opts), DEFS);
    await w2.start();
    const done = await until(() => w2.get(id, dan), (v) => v.status === "done", 20_000);
    expect(done.status).toBe("done");
    const row = await t.db.prisma.backgroundJob.findUniqueOrThrow({ where: { id } });
    expect(row.attempts).toBe(2);
    console.log(`taken over after a worker crash: ${row.attempts} attempts, ${row.finishedAt!.getTime() - row.createdAt.getTime()} ms from enqueue to done`);
    g.open();
    await w2.close();
  });
});
