/**
 * How the chat pipeline and the model gateway hold up when model providers misbehave.
 *
 *   npm run bench:faults -- [--turns 1000] [--concurrency 20] [--db postgres|pglite]
 *                           [--fault-rate 0.2] [--faults 429,500,503,slow,cut,hang]
 *                           [--routing priority|weighted] [--timeout-ms 8000] [--first-token-ms 1000]
 *                           [--max-retries 2] [--tokens 20] [--token-ms 5] [--first-ms 20]
 *                           [--retry-after-s 1] [--turns-per-conversation 5] [--audit on|off]
 *                           [--max-minutes 15] [--log silent]
 *
 * In-process (no HTTP server): `runChatTurn`, the same pipeline both doors use, on a throwaway
 * PostgreSQL database (or in-memory PGlite), against two mock model servers configured as two
 * deployments of both tiers (`MODEL_DEPLOYMENTS`): priorities 0 and 1 (`--routing priority`), or
 * one priority with weights 3 and 1 (`--routing weighted`). Each mock's fault queue is kept
 * stocked by a background loop with one entry per model request: a fault with probability
 * `--fault-rate`, otherwise a plain reply (`tokens=N`), so faults are drawn per request and a
 * gateway retry meets a fresh draw (an inline `[[mock:…]]` directive would hit every retry).
 * The fault kinds, drawn evenly from `--faults`:
 *   429   status=429 with Retry-After (`--retry-after-s`)
 *   500   status=500
 *   503   status=503
 *   slow  delay-first = 2 × the first-token timeout (the gateway's first-token timeout fires)
 *   cut   cut-after=3: three words, then the socket dies (after the first token: no failover)
 *   hang  200 headers, then nothing (the first-token timeout fires)
 *
 * Reports the completion rate (reply stored complete), the clean-failure rate (the turn ended as
 * error or interrupted with a stored reason, in time), turn latency p50/p95, attempts, retries and
 * fallbacks per turn (counted from the gateway's turn events per request id: `model_call` per
 * attempt; `model_retry` also counts each wait for a cooling-down or half-open deployment, which
 * makes no attempt, so "extra attempts" is printed beside it), breaker
 * transitions, what was injected, and user messages lost: after the run every user message sent
 * must be in the Message table and no reply may be left `streaming`. Prints figures and never
 * fails on them; exits 1 only when user messages were lost or a reply was left streaming (2 when
 * the watchdog stopped the run).
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { startMockOpenAI, type MockOpenAIServer, type QueuedMockFault } from "../e2e/fixtures/mock-openai/server";
import type { Principal } from "../lib/principal";
import type { TurnEvent } from "../lib/observability/turn-events";
import type { Database } from "../lib/db/client";

// ───────────────────────────────────────────────────────────────────────────────── options

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (!a.startsWith("--")) continue;
  const [k, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
  if (inline !== undefined) args.set(k, inline);
  else if (process.argv[i + 1] !== undefined && !process.argv[i + 1]!.startsWith("--")) args.set(k, process.argv[++i]!);
  else args.set(k, "true");
}
const KNOWN = [
  "turns", "concurrency", "db", "fault-rate", "faults", "routing", "timeout-ms", "first-token-ms", "max-retries", "tokens",
  "token-ms", "first-ms", "retry-after-s", "turns-per-conversation", "audit", "max-minutes", "log",
];
for (const k of args.keys()) {
  if (!KNOWN.includes(k)) {
    console.error(`bench:faults: unknown option --${k} (known: ${KNOWN.map((x) => `--${x}`).join(", ")})`);
    process.exit(2);
  }
}
function num(name: string, def: number, min = 0): number {
  const raw = args.get(name);
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    console.error(`bench:faults: --${name} must be a number ≥ ${min} (got '${raw}')`);
    process.exit(2);
  }
  return n;
}
const TURNS = Math.floor(num("turns", 1000, 1));
const CONCURRENCY = Math.floor(num("concurrency", 20, 1));
const DB = args.get("db") ?? "postgres";
const FAULT_RATE = num("fault-rate", 0.2);
const ROUTING = args.get("routing") ?? "priority";
const TIMEOUT_MS = Math.floor(num("timeout-ms", 8000, 1000));
const FIRST_TOKEN_MS = Math.floor(num("first-token-ms", 1000, 100));
const MAX_RETRIES = Math.floor(num("max-retries", 2));
const TOKENS = Math.floor(num("tokens", 20, 4));
const TOKEN_MS = num("token-ms", 5);
const FIRST_MS = num("first-ms", 20);
const RETRY_AFTER_S = num("retry-after-s", 1);
const TURNS_PER_CONVERSATION = Math.floor(num("turns-per-conversation", 5, 1));
const AUDIT = (args.get("audit") ?? "on") !== "off";
const MAX_MINUTES = num("max-minutes", 15, 0.1);
const FAULT_KINDS = ["429", "500", "503", "slow", "cut", "hang"] as const;
type FaultKind = (typeof FAULT_KINDS)[number];
const MIX = (args.get("faults") ?? FAULT_KINDS.join(",")).split(",").map((s) => s.trim()).filter(Boolean) as FaultKind[];
if (DB !== "postgres" && DB !== "pglite") {
  console.error(`bench:faults: --db must be postgres or pglite (got '${DB}')`);
  process.exit(2);
}
if (ROUTING !== "priority" && ROUTING !== "weighted") {
  console.error(`bench:faults: --routing must be priority or weighted (got '${ROUTING}')`);
  process.exit(2);
}
if (FAULT_RATE > 1 || MIX.length === 0 || MIX.some((k) => !FAULT_KINDS.includes(k))) {
  console.error(`bench:faults: --fault-rate must be in [0, 1] and --faults a list of ${FAULT_KINDS.join(",")}`);
  process.exit(2);
}

// Before any app module loads (the logger reads its level at import, env() is cached).
process.env.LOG_LEVEL = args.get("log") ?? "silent";
process.env.MODEL_TIMEOUT_MS = String(TIMEOUT_MS);
process.env.MODEL_FIRST_TOKEN_TIMEOUT_MS = String(FIRST_TOKEN_MS);
process.env.MODEL_MAX_RETRIES = String(MAX_RETRIES);
process.env.AUDIT_SIGNING_KEY ??= "bench-faults-key-bench-faults-key";
for (const k of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL_SMALL", "MODEL_LARGE", "MODEL_CACHE_TIERS", "REDIS_URL"]) delete process.env[k];
process.env.MODEL_CACHE_TIERS = "";

function faultFor(kind: FaultKind): QueuedMockFault {
  switch (kind) {
    case "429":
      return { status: 429, retryAfter: RETRY_AFTER_S };
    case "500":
      return { status: 500 };
    case "503":
      return { status: 503 };
    case "slow":
      return { delayFirst: FIRST_TOKEN_MS * 2 };
    case "cut":
      return { cutAfter: 3 };
    case "hang":
      return { hang: true };
  }
}
function kindOf(f: QueuedMockFault | null | undefined): FaultKind | null {
  if (!f) return null;
  if (f.status === 429) return "429";
  if (f.status === 500) return "500";
  if (f.status === 503) return "503";
  if (f.hang) return "hang";
  if (f.cutAfter !== undefined) return "cut";
  if (f.delayFirst !== undefined) return "slow";
  return null;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : "–");
const rate = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)} %` : "–");
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface TurnRecord {
  requestId: string;
  conversationId: string;
  userMessageId: string;
  assistantMessageId?: string;
  latencyMs: number;
  /** From turn.done; "refused" when runChatTurn threw; "hung" when the per-turn watchdog fired. */
  outcome: "complete" | "error" | "interrupted" | "refused" | "hung";
  failureKind?: string;
  thrown?: string;
  streamedChars: number;
}

interface PerRequest {
  calls: number;
  failedCalls: number;
  retries: number;
  retryWaitMs: number;
  fallbacks: number;
  errors: string[];
}

async function main(): Promise<number> {
  const started = Date.now();
  const cleanups: Array<[string, () => Promise<unknown>]> = [];
  let stopIssuing = false;
  let watchdogFired = false;
  const cleanupAll = async () => {
    for (const [name, fn] of cleanups.splice(0).reverse()) {
      await Promise.race([fn(), sleep(10_000).then(() => Promise.reject(new Error("took over 10 s")))]).catch((e: unknown) =>
        console.error(`cleanup ${name} failed: ${(e as Error).message}`),
      );
    }
  };
  // The whole run is bounded: past --max-minutes no new turn starts; a minute later the process
  // cleans up and exits whatever is still running.
  const softTimer = setTimeout(() => {
    watchdogFired = true;
    stopIssuing = true;
    console.error(`\nwatchdog: --max-minutes ${MAX_MINUTES} reached; no new turns`);
  }, MAX_MINUTES * 60_000);
  const hardTimer = setTimeout(() => {
    console.error("watchdog: the run did not wind down within 60 s of the limit; cleaning up and exiting");
    void cleanupAll().finally(() => process.exit(2));
  }, MAX_MINUTES * 60_000 + 60_000);
  softTimer.unref();
  hardTimer.unref();

  try {
    // ── two mock model servers, each with a fault queue kept stocked (one entry per request)
    const mockDefaults = { tokens: TOKENS, delayToken: TOKEN_MS, delayFirst: FIRST_MS };
    const mocks: MockOpenAIServer[] = [];
    for (let i = 0; i < 2; i++) {
      const m = await startMockOpenAI({ port: 0, defaults: mockDefaults, maxRecordedRequests: 1_000_000 });
      mocks.push(m);
      cleanups.push([`mock ${i}`, () => m.close()]);
    }
    const drawn = { faults: 0, plain: 0 };
    const stock = () => {
      for (const m of mocks) {
        const missing = 64 - m.pendingFaults().length;
        const batch: QueuedMockFault[] = [];
        for (let k = 0; k < missing; k++) {
          if (Math.random() < FAULT_RATE) {
            batch.push(faultFor(MIX[Math.floor(Math.random() * MIX.length)]!));
            drawn.faults++;
          } else {
            batch.push({ tokens: TOKENS });
            drawn.plain++;
          }
        }
        if (batch.length > 0) m.enqueueFaults(...batch);
      }
    };
    stock();
    const stocker = setInterval(stock, 10);
    cleanups.push(["fault stocker", async () => clearInterval(stocker)]);

    const deployments = [
      { id: "primary", url: mocks[0]!.url, priority: 0, weight: ROUTING === "weighted" ? 3 : 1 },
      { id: "secondary", url: mocks[1]!.url, priority: ROUTING === "weighted" ? 0 : 1, weight: 1 },
    ].map((d) => ({ id: d.id, provider: "openai-compatible", baseURL: d.url, model: `mock-${d.id}`, tiers: ["small", "large"], priority: d.priority, weight: d.weight }));
    process.env.MODEL_DEPLOYMENTS = JSON.stringify(deployments);

    // ── app modules, now that the environment is final
    const { resetEnvCache, env } = await import("../lib/config/env");
    resetEnvCache();
    const { runChatTurn } = await import("../lib/chat/turn");
    const { onTurnEvent } = await import("../lib/observability/turn-events");
    const { openDatabase, MEMORY } = await import("../lib/db/client");
    const { setDatabase } = await import("../lib/db/database");
    const { seedDatabase } = await import("../lib/db/seed");
    const { createThrowawayPostgres, TEST_DATABASE_ADMIN_URL } = await import("../lib/db/testing");
    const { signedIn } = await import("../lib/db/test-sessions");
    const { getGateway } = await import("../lib/models/registry");
    const { auditTurnSink } = await import("../lib/audit/turn-sink");
    const { drainAudit } = await import("../lib/audit/maintenance");
    const { installTurnMetrics } = await import("../lib/observability/turn-metrics");

    // ── the database
    let db: Database;
    if (DB === "postgres") {
      const pg = await createThrowawayPostgres();
      cleanups.push(["throwaway database", () => pg.drop()]);
      db = await openDatabase({ kind: "postgresql", url: pg.url, migrate: true, poolSize: Math.min(20, Math.max(5, CONCURRENCY)) });
    } else {
      db = await openDatabase({ kind: "pglite", dataDir: MEMORY });
    }
    cleanups.push(["database", () => db.close()]);
    await seedDatabase(db.prisma);
    setDatabase(db);
    cleanups.push(["installed database", async () => setDatabase(undefined)]);

    const e = env();
    const people = ["alice@acme.test", "bob@acme.test", "carol@acme.test", "dan@acme.test", "heidi@acme.test", "erin@globex.test", "frank@globex.test"];
    const users: Principal[] = [];
    for (let i = 0; i < CONCURRENCY; i++) users.push(await signedIn(db, people[i % people.length]!));

    // ── observe the gateway through the turn events
    const perRequest = new Map<string, PerRequest>();
    const breakerTransitions: Record<string, number> = {};
    const queueWaits = { n: 0, ms: 0 };
    const retryReasons = new Map<string, number>();
    const unsubscribe = onTurnEvent((ev: TurnEvent) => {
      const r = perRequest.get(ev.requestId) ?? { calls: 0, failedCalls: 0, retries: 0, retryWaitMs: 0, fallbacks: 0, errors: [] };
      perRequest.set(ev.requestId, r);
      const d = ev.data ?? {};
      switch (ev.step) {
        case "model_call":
          r.calls++;
          if (ev.outcome === "failure") {
            r.failedCalls++;
            r.errors.push(String(d.error ?? "?"));
          }
          break;
        case "model_retry":
          r.retries++;
          r.retryWaitMs += Number(d.waitMs ?? 0);
          retryReasons.set(String(d.reason ?? "?"), (retryReasons.get(String(d.reason ?? "?")) ?? 0) + 1);
          break;
        case "model_fallback":
          r.fallbacks++;
          break;
        case "breaker_transition": {
          const k = `${String(d.deployment)} → ${String(d.state)}`;
          breakerTransitions[k] = (breakerTransitions[k] ?? 0) + 1;
          break;
        }
        case "queue_wait":
          queueWaits.n++;
          queueWaits.ms += Number(d.waitedMs ?? 0);
          break;
        default:
      }
    });
    cleanups.push(["turn-event sink", async () => unsubscribe()]);
    installTurnMetrics();
    let unsubscribeAudit = () => {};
    if (AUDIT) {
      unsubscribeAudit = onTurnEvent(auditTurnSink);
      cleanups.push(["audit sink", async () => unsubscribeAudit()]);
    }

    const cmd = `npm run bench:faults -- ${process.argv.slice(2).join(" ")}`.trim();
    console.log(`\n$ ${cmd}`);
    console.log(
      `${TURNS} turns, ${CONCURRENCY} at a time, ${DB === "postgres" ? `PostgreSQL (throwaway database on ${new URL(TEST_DATABASE_ADMIN_URL).host})` : "PGlite (in memory)"}, ` +
        `audit trail ${AUDIT ? "on" : "off"}; two deployments (${ROUTING === "priority" ? "priority 0 and 1" : "one priority, weights 3:1"}), ` +
        `faults on ${(FAULT_RATE * 100).toFixed(0)} % of model requests (${MIX.join(", ")});\n` +
        `MODEL_TIMEOUT_MS=${e.MODEL_TIMEOUT_MS} MODEL_FIRST_TOKEN_TIMEOUT_MS=${e.MODEL_FIRST_TOKEN_TIMEOUT_MS} MODEL_MAX_RETRIES=${e.MODEL_MAX_RETRIES} ` +
        `MODEL_BREAKER_FAILURES=${e.MODEL_BREAKER_FAILURES} MODEL_BREAKER_COOLDOWN_MS=${e.MODEL_BREAKER_COOLDOWN_MS}; ` +
        `replies ${TOKENS} tokens, first after ${FIRST_MS} ms, then ${TOKEN_MS} ms apart; load average ${loadAvg()}`,
    );

    // ── the turns
    const records: TurnRecord[] = [];
    let issued = 0;
    let lastReport = Date.now();
    const perTurnLimitMs = TIMEOUT_MS + 20_000;
    const worker = async (w: number) => {
      const p = users[w]!;
      let conversationId = randomUUID();
      let inConversation = 0;
      while (!stopIssuing && issued < TURNS) {
        const n = issued++;
        if (inConversation >= TURNS_PER_CONVERSATION) {
          conversationId = randomUUID();
          inConversation = 0;
        }
        inConversation++;
        const rec: TurnRecord = { requestId: randomUUID(), conversationId, userMessageId: randomUUID(), latencyMs: NaN, outcome: "refused", streamedChars: 0 };
        records.push(rec);
        const t0 = performance.now();
        const body = (async () => {
          const turn = await runChatTurn(
            p,
            { id: conversationId, message: { id: rec.userMessageId, role: "user", parts: [{ type: "text", text: `Turn ${n}: summarise where the Q3 plan stands for the northern region.` }] } },
            { requestId: rec.requestId },
          );
          rec.assistantMessageId = turn.assistantMessageId;
          const reader = turn.chunks().getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (value.type === "text-delta") rec.streamedChars += value.delta.length;
          }
          const o = await turn.done;
          rec.outcome = o.status;
          rec.failureKind = o.failure?.kind;
        })();
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<"hung">((r) => (timer = setTimeout(() => r("hung"), perTurnLimitMs)));
        try {
          if ((await Promise.race([body, hung])) === "hung") rec.outcome = "hung";
        } catch (err) {
          rec.outcome = "refused";
          rec.thrown = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : String(err);
        } finally {
          clearTimeout(timer);
        }
        body.catch(() => {});
        rec.latencyMs = performance.now() - t0;
        if (Date.now() - lastReport > 15_000) {
          lastReport = Date.now();
          const done = records.filter((r) => Number.isFinite(r.latencyMs)).length;
          console.log(`  … ${done}/${TURNS} turns after ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${loadAvg()}`);
        }
      }
    };
    const t0 = Date.now();
    await Promise.all(users.map((_, w) => worker(w)));
    const wallS = (Date.now() - t0) / 1000;

    // ── nothing hanging: in-flight model requests and gateway slots drain
    const gateway = await getGateway();
    let settledMs = 0;
    for (; settledMs < 5_000; settledMs += 100) {
      if (mocks.every((m) => m.activeRequests() === 0) && gateway.runtimes.every((r) => r.inFlight === 0)) break;
      await sleep(100);
    }
    const openAtEnd = mocks.map((m) => m.activeRequests());
    const inFlightAtEnd = gateway.runtimes.map((r) => r.inFlight);
    clearInterval(stocker);
    if (AUDIT) {
      unsubscribeAudit();
      await drainAudit();
    }

    // ── what the database says
    const sentIds = records.map((r) => r.userMessageId);
    const replyIds = records.flatMap((r) => (r.assistantMessageId ? [r.assistantMessageId] : []));
    const storedUser = new Set<string>();
    const replies = new Map<string, { status: string; error: string | null; deploymentId: string | null; fallback: boolean }>();
    for (let i = 0; i < sentIds.length; i += 500) {
      for (const m of await db.prisma.message.findMany({ where: { id: { in: sentIds.slice(i, i + 500) } }, select: { id: true } })) storedUser.add(m.id);
    }
    for (let i = 0; i < replyIds.length; i += 500) {
      for (const m of await db.prisma.message.findMany({
        where: { id: { in: replyIds.slice(i, i + 500) } },
        select: { id: true, status: true, error: true, deploymentId: true, fallback: true },
      })) {
        replies.set(m.id, { status: m.status, error: m.error, deploymentId: m.deploymentId, fallback: m.fallback });
      }
    }
    const lost = sentIds.filter((id) => !storedUser.has(id)).length;
    const streamingLeft = await db.prisma.message.count({ where: { status: "streaming" } });

    // ── classify each turn
    const finished = records.filter((r) => Number.isFinite(r.latencyMs));
    let complete = 0;
    let clean = 0;
    const unclean: string[] = [];
    const failureKinds = new Map<string, number>();
    const storedReasons = new Map<string, number>();
    const byDeployment = new Map<string, number>();
    let fallbackReplies = 0;
    for (const r of finished) {
      const row = r.assistantMessageId ? replies.get(r.assistantMessageId) : undefined;
      if (row?.deploymentId) byDeployment.set(row.deploymentId, (byDeployment.get(row.deploymentId) ?? 0) + 1);
      if (row?.fallback) fallbackReplies++;
      if (r.outcome === "complete" && row?.status === "complete") {
        complete++;
        continue;
      }
      if ((r.outcome === "error" || r.outcome === "interrupted") && row && row.status === r.outcome && row.error && row.error.trim()) {
        clean++;
        const k = `${r.outcome}/${r.failureKind ?? "?"}`;
        failureKinds.set(k, (failureKinds.get(k) ?? 0) + 1);
        storedReasons.set(row.error, (storedReasons.get(row.error) ?? 0) + 1);
        continue;
      }
      unclean.push(
        `${r.outcome}${r.thrown ? ` (${r.thrown})` : ""}; stored reply: ${row ? `${row.status}${row.error ? `, "${row.error.slice(0, 80)}"` : ", no reason"}` : "none"} [request ${r.requestId}]`,
      );
    }

    // ── the gateway's work per turn
    const per = finished.map((r) => perRequest.get(r.requestId) ?? { calls: 0, failedCalls: 0, retries: 0, retryWaitMs: 0, fallbacks: 0, errors: [] });
    const attempts = per.map((x) => x.calls);
    const retries = per.map((x) => x.retries);
    const fallbacks = per.map((x) => x.fallbacks);
    const extra = per.map((x) => Math.max(0, x.calls - 1));
    const hist = (xs: number[]) => {
      const h = [0, 0, 0, 0];
      for (const x of xs) h[Math.min(3, x)]!++;
      return `0: ${h[0]}, 1: ${h[1]}, 2: ${h[2]}, 3+: ${h[3]}`;
    };
    const lat = finished.map((r) => r.latencyMs);
    const latOk = finished.filter((r) => r.outcome === "complete").map((r) => r.latencyMs);
    const latFail = finished.filter((r) => r.outcome !== "complete").map((r) => r.latencyMs);
    const metFault = finished.filter((r) => (perRequest.get(r.requestId)?.failedCalls ?? 0) > 0);

    // ── what was injected
    const modelReqs = mocks.flatMap((m, i) => m.requests().filter((q) => q.path.endsWith("/chat/completions") || q.path.endsWith("/responses")).map((q) => ({ q, i })));
    const injected = new Map<string, number>();
    let injectedTotal = 0;
    for (const { q } of modelReqs) {
      const k = kindOf(q.fault);
      if (k) {
        injected.set(k, (injected.get(k) ?? 0) + 1);
        injectedTotal++;
      }
    }
    const perMock = mocks.map((_, i) => modelReqs.filter((x) => x.i === i).length);

    // ── the report
    const rows: Array<[string, string]> = [
      ["turns finished", `${finished.length} of ${TURNS} in ${wallS.toFixed(1)} s (${(finished.length / wallS).toFixed(1)} turns/s)`],
      ["completed (reply complete)", `${complete}  ${rate(complete, finished.length)}`],
      ["clean failures", `${clean}  ${rate(clean, finished.length)}  (error/interrupted, reason stored, in time)`],
      ["unclean (hung, refused, bad row)", `${unclean.length}  ${rate(unclean.length, finished.length)}`],
      ["latency p50 / p95 (all turns)", `${ms(pct(lat, 50))} / ${ms(pct(lat, 95))}  (max ${ms(Math.max(...lat))})`],
      ["  completed turns p50 / p95", `${ms(pct(latOk, 50))} / ${ms(pct(latOk, 95))}`],
      ["  failed turns p50 / p95", `${ms(pct(latFail, 50))} / ${ms(pct(latFail, 95))}`],
      ["model attempts per turn", `mean ${mean(attempts).toFixed(2)}, max ${Math.max(...attempts)}  (extra attempts: ${hist(extra)})`],
      ["retries per turn (model_retry)", `mean ${mean(retries).toFixed(2)}, max ${Math.max(...retries)}  (${hist(retries)}); waited ${ms(mean(per.map((x) => x.retryWaitMs)))} per turn on average`],
      ["fallbacks per turn (model_fallback)", `mean ${mean(fallbacks).toFixed(2)}, max ${Math.max(...fallbacks)}  (${hist(fallbacks)})`],
      ["turns that met a failed attempt", `${metFault.length}  ${rate(metFault.length, finished.length)}; of them completed ${metFault.filter((r) => r.outcome === "complete").length}`],
      ["replies by deployment", [...byDeployment].map(([k, v]) => `${k} ${v}`).join(", ") + `; marked fallback ${fallbackReplies}`],
      ["breaker transitions", Object.entries(breakerTransitions).map(([k, v]) => `${k} ×${v}`).join(", ") || "none"],
      ["queue waits", `${queueWaits.n}`],
      ["model requests (primary, secondary)", `${modelReqs.length} (${perMock.join(", ")})`],
      ["faults injected", `${injectedTotal}  ${rate(injectedTotal, modelReqs.length)}: ${FAULT_KINDS.map((k) => `${k} ${injected.get(k) ?? 0}`).join(", ")}`],
      ["open at the end (mock conns, gateway in-flight)", `${openAtEnd.join("+")} , ${inFlightAtEnd.join("+")}  (after ${settledMs} ms)`],
      ["user messages lost", `${lost}`],
      ["replies left streaming", `${streamingLeft}`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    console.log("");
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    if (failureKinds.size > 0) {
      console.log("\nclean failures by outcome/kind:  " + [...failureKinds].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", "));
      console.log("stored reasons:");
      for (const [k, v] of [...storedReasons].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${String(v).padStart(5)}  ${k}`);
    }
    const errs = new Map<string, number>();
    for (const x of per) for (const er of x.errors) errs.set(er, (errs.get(er) ?? 0) + 1);
    if (errs.size > 0) console.log("failed attempts by kind:  " + [...errs].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", "));
    if (retryReasons.size > 0) {
      console.log("retry reasons:  " + [...retryReasons].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${v}× ${k}`).join("; "));
    }
    if (unclean.length > 0) {
      console.log(`\nunclean turns (first 10 of ${unclean.length}):`);
      for (const u of unclean.slice(0, 10)) console.log(`  ${u}`);
    }
    console.log(`\nload average at the end ${loadAvg()}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s${watchdogFired ? " (stopped by the watchdog)" : ""}`);
    if (lost > 0 || streamingLeft > 0) {
      console.error(`\nFAIL: ${lost} user message(s) lost, ${streamingLeft} reply(ies) left streaming`);
      return 1;
    }
    return watchdogFired ? 2 : 0;
  } finally {
    clearTimeout(softTimer);
    clearTimeout(hardTimer);
    await cleanupAll();
  }
}

function loadAvg(): string {
  return loadavg().map((x) => x.toFixed(2)).join(" ");
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
