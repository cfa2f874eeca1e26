/**
 * What admission itself costs a chat turn, next to the Redis round trips it cannot avoid,
 * measured side by side in one run (bench:chat measures it inside a loaded server, where every
 * phase also waits for the busy event loop).
 *
 *   npm run bench:admission -- [--levels 1,50] [--duration-s 5] [--hold-ms 250] [--redis redis://127.0.0.1:6379]
 *
 * For each concurrency level c, c callers in a closed loop, each its own person of one org
 * (requests and tokens per minute per person and per org counted, a concurrency cap of 3):
 *   ping×1     one Redis PING per iteration (the floor of any shared limit);
 *   ping×2     two sequential PINGs (admission's round trips: the minute windows, then the slot);
 *   admission  Admission.admit() then release(), on Redis (the product's path);
 *   memory     the same without Redis (embedded mode: RateLimiterMemory, in-process slots);
 *   turns/...  c people each holding their turn's slot for --hold-ms (a turn streaming) before
 *              releasing it and asking again: c turns at once, as bench:chat's c means, and only
 *              the admit() call timed. The closed rows above it are a saturation test (no turn
 *              runs between two admissions), so their latency at c=50 is mostly queueing: c
 *              divided by the throughput.
 * Prints p50/p95/p99 per admission, in ms. Uses a per-run key prefix and deletes its keys.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { Admission } from "@/lib/limits/admission";
import { createRedisClient } from "@/lib/models/shared-state";
import type { Principal } from "@/lib/principal";
import { pct } from "./stats";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback);
const LEVELS = arg("levels", "1,50").split(",").map(Number);
const DURATION_MS = Number(arg("duration-s", "5")) * 1000;
const HOLD_MS = Number(arg("hold-ms", "250"));
const REDIS_URL = arg("redis", process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const PREFIX = `enclave-bench:admission:${randomUUID().slice(0, 8)}`;
const ORG = `bench-org-${randomUUID().slice(0, 8)}`;

const person = (i: number): Principal => ({
  userId: `bench-user-${i}`,
  orgId: ORG,
  role: "member",
  teamId: null,
  sessionId: "bench",
  email: `u${i}@bench.test`,
  name: `User ${i}`,
  permissions: new Set(),
  managedTeamIds: [],
  via: "session",
});

// Far above what a closed loop reaches in a minute (in memory that is ~10^7), so nothing is refused.
const LIMITS = { userRpm: 1_000_000_000, userTpm: 1_000_000_000, orgRpm: 1_000_000_000, orgTpm: 1_000_000_000, maxConcurrentTurns: 3 };

// Each row its own keys, so one row's counts never carry into the next.
let row = 0;
function engine(redis: Redis | null): Admission {
  return new Admission({ redis, prefix: `${PREFIX}:${row++}`, defaults: () => LIMITS, overrides: async () => [], backlog: () => ({ behind: false, pending: 0, limit: 1, retryAfterSeconds: 1 }) });
}


/** `once` returns what to do after the timed part (release a held slot), if anything. */
type Step = (caller: number) => Promise<(() => Promise<void>) | void>;

async function closedLoop(c: number, once: Step): Promise<number[]> {
  const samples: number[] = [];
  // Warm-up: every caller once, not measured, starts spread over HOLD_MS.
  await Promise.all(
    Array.from({ length: c }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (HOLD_MS * i) / c));
      await (await once(i))?.();
    }),
  );
  const until = Date.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: c }, async (_, i) => {
      while (Date.now() < until) {
        const t0 = performance.now();
        const after = await once(i);
        samples.push(performance.now() - t0);
        if (after) await after();
      }
    }),
  );
  // Sorted once here, so each percentile's own sort is a pass over sorted data.
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const redis = createRedisClient(REDIS_URL);
  await redis.connect();
  await redis.ping();
  const engines: Admission[] = [];
  const admitOn = (store: Redis | null, holdMs = 0): Step => {
    const a = engine(store);
    engines.push(a);
    return async (i: number) => {
      const admitted = await a.admit(person(i));
      if (holdMs === 0) return admitted.release();
      // Turns last different times (0.5–1.5 × hold), so arrivals spread out as real ones do
      // instead of all c arriving in the same millisecond.
      return () => new Promise<void>((r) => setTimeout(r, holdMs * (0.5 + Math.random()))).then(() => admitted.release());
    };
  };
  const targets: Array<[string, () => Step]> = [
    ["ping×1", () => async () => void (await redis.ping())],
    ["ping×2", () => async () => void (await redis.ping(), await redis.ping())],
    ["admission", () => admitOn(redis)],
    ["memory", () => admitOn(null)],
    ["turns/redis", () => admitOn(redis, HOLD_MS)],
    ["turns/memory", () => admitOn(null, HOLD_MS)],
  ];
  console.log(`bench:admission — Admission.admit()+release() vs Redis round trips (${REDIS_URL}), closed loop, ${DURATION_MS / 1000} s per row`);
  console.log(`(turns/…: each of the c people holds their slot ${HOLD_MS} ms, a streaming turn, between admissions)`);
  console.log("target         c   iterations   p50 ms   p95 ms   p99 ms");
  try {
    for (const c of LEVELS) {
      for (const [name, make] of targets) {
        const s = await closedLoop(c, make());
        console.log(`${name.padEnd(12)} ${String(c).padStart(3)} ${String(s.length).padStart(12)} ${pct(s, 50).toFixed(3).padStart(8)} ${pct(s, 95).toFixed(3).padStart(8)} ${pct(s, 99).toFixed(3).padStart(8)}`);
      }
    }
  } finally {
    for (const a of engines) a.close();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${PREFIX}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
