/**
 * What the audit trail costs a chat turn, and how fast it absorbs events, on PostgreSQL.
 *
 *   npm run bench:audit -- [--turns-per-worker 20] [--workers 50]
 *
 * In-process (no HTTP), against a throwaway PostgreSQL database: 50 concurrent "users" run chat
 * turns through the real pipeline (offline model, no artificial delay), first with the audit
 * trail unsubscribed, then with it on (step events queued, batch-inserted, sealed every second
 * by the background sealer). Prints per-turn latency both ways, the difference (the audit
 * overhead per turn), the sustained insert rate of audit events, and how long sealing the
 * backlog takes. Prints figures; never fails on them.
 */
import { randomUUID } from "node:crypto";
import type { Principal } from "../lib/principal";

// Before any app module loads (the logger reads its level at import).
process.env.ENCLAVE_TEST_DB = "postgres";
process.env.OFFLINE_MODEL_DELAY_MS = "0";
process.env.LOG_LEVEL = "silent";
process.env.AUDIT_SIGNING_KEY = "bench-audit-key-bench-audit-key";

const { onTurnEvent } = await import("../lib/observability/turn-events");
const { runChatTurn } = await import("../lib/chat/turn");
const { createTestDatabase } = await import("../lib/db/testing");
const { signedIn } = await import("../lib/db/test-sessions");
const { auditTurnSink } = await import("../lib/audit/turn-sink");
const { drainAudit } = await import("../lib/audit/maintenance");
const { sealAllPending } = await import("../lib/audit/seal");
const { verifyOrgChain } = await import("../lib/audit/verify");

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const WORKERS = Number(args.get("workers") ?? 50);
const TURNS = Number(args.get("turns-per-worker") ?? 20);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const f = (n: number) => n.toFixed(2).padStart(8);

async function oneTurn(p: Principal): Promise<number> {
  const id = randomUUID();
  const t0 = performance.now();
  const turn = await runChatTurn(p, { id, message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: "Summarise the Q3 plan in three bullets" }] } }, { requestId: randomUUID() });
  const reader = turn.chunks().getReader();
  while (!(await reader.read()).done) {
    /* drain */
  }
  await turn.done;
  return performance.now() - t0;
}

interface Phase {
  latencies: number[];
  cpuMsPerTurn: number;
  secs: number;
}

async function phase(users: Principal[], turns: number): Promise<Phase> {
  const latencies: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    users.map(async (u) => {
      for (let i = 0; i < turns; i++) latencies.push(await oneTurn(u));
    }),
  );
  const cpu = process.cpuUsage(c0);
  return { latencies, cpuMsPerTurn: (cpu.user + cpu.system) / 1000 / latencies.length, secs: (performance.now() - t0) / 1000 };
}

function print(label: string, ph: Phase[]): { p50: number; p95: number; cpu: number } {
  const all = ph.flatMap((x) => x.latencies);
  const cpu = ph.reduce((a, x) => a + x.cpuMsPerTurn, 0) / ph.length;
  const secs = ph.reduce((a, x) => a + x.secs, 0);
  console.log(
    `${label.padEnd(18)} turns=${all.length}  latency p50 ${f(pct(all, 50))} ms  p95 ${f(pct(all, 95))} ms  CPU ${f(cpu)} ms/turn  (${(all.length / secs).toFixed(0)} turns/s)`,
  );
  return { p50: pct(all, 50), p95: pct(all, 95), cpu };
}

async function main(): Promise<void> {
  const t = await createTestDatabase();
  try {
    const people = ["alice@acme.test", "bob@acme.test", "carol@acme.test", "dan@acme.test", "ivan@acme.test", "heidi@acme.test"];
    const users: Principal[] = [];
    for (let i = 0; i < WORKERS; i++) users.push(await signedIn(t.db, people[i % people.length]!));
    console.log(`\n${WORKERS} concurrent turns at a time, ${TURNS} turns each per round, PostgreSQL, offline model (no delay)\n`);
    // Warm both paths, then alternate rounds so drift (JIT, caches, the database) hits both alike.
    await phase(users.slice(0, 10), 3);
    let unsubscribe = onTurnEvent(auditTurnSink);
    await phase(users.slice(0, 10), 3);
    unsubscribe();
    await drainAudit();

    const before = await t.db.prisma.auditEvent.count();
    let sealed = 0;
    let sealing = true;
    const sealer = (async () => {
      while (sealing) {
        sealed += await sealAllPending();
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const offRounds: Phase[] = [];
    const onRounds: Phase[] = [];
    let onSecs = 0;
    for (let round = 0; round < 2; round++) {
      offRounds.push(await phase(users, TURNS));
      unsubscribe = onTurnEvent(auditTurnSink);
      const r = await phase(users, TURNS);
      onSecs += r.secs;
      onRounds.push(r);
      unsubscribe();
    }
    await drainAudit();
    const inserted = (await t.db.prisma.auditEvent.count()) - before;
    sealing = false;
    await sealer;
    const s0 = performance.now();
    sealed += await sealAllPending();
    const finalSealMs = performance.now() - s0;
    const offStats = print("audit trail off", offRounds);
    const onStats = print("audit trail on", onRounds);
    const onTurns = onRounds.reduce((a, r) => a + r.latencies.length, 0);
    const org = users[0]!.orgId;

    const v0 = performance.now();
    const report = await verifyOrgChain(org);
    const verifyMs = performance.now() - v0;

    console.log(
      `\naudit overhead per turn:   ${(onStats.cpu - offStats.cpu).toFixed(2)} ms of CPU; latency p50 ${(onStats.p50 - offStats.p50).toFixed(1)} ms, p95 ${(onStats.p95 - offStats.p95).toFixed(1)} ms (at ${WORKERS} concurrent turns, latency is mostly queueing)`,
    );
    console.log(`audit events written:      ${inserted} (${(inserted / onTurns).toFixed(1)} per turn), ${(inserted / onSecs).toFixed(0)} events/s sustained while turns ran`);
    console.log(`sealed in the background:  ${sealed} events while turns ran (1 s cadence); the final backlog in ${finalSealMs.toFixed(0)} ms`);

    // The writer's own capacity, beyond what 50 turns produce: 20,000 step events at once.
    const { enqueueAuditEvent, flushAuditSteps } = await import("../lib/audit/step-writer");
    const w0 = performance.now();
    for (let i = 0; i < 20_000; i++) {
      enqueueAuditEvent({ orgId: org, actorId: users[0]!.userId, action: "chat.model_call", requestId: `cap-${i % 500}`, data: { i } });
    }
    await flushAuditSteps();
    const writeSecs = (performance.now() - w0) / 1000;
    const k0 = performance.now();
    await sealAllPending();
    const sealSecs = (performance.now() - k0) / 1000;
    console.log(`writer capacity:           ${(20_000 / writeSecs).toFixed(0)} events/s inserted (batches of 500); sealing ${(20_000 / sealSecs).toFixed(0)} events/s`);
    console.log(`verify Acme's chain:       ${report.ok ? "intact" : "BROKEN"}, ${report.checked} events in ${verifyMs.toFixed(0)} ms (${(report.checked / (verifyMs / 1000)).toFixed(0)} events/s)\n`);
  } finally {
    await t.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
