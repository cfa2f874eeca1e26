/**
 * What the agent team's parallelism buys: an orchestrated turn's wall time next to the sum and
 * the maximum of its branches, and the TTFT of the aggregated answer, at a few concurrencies.
 *
 *   npm run bench:agents -- [--delay-ms 300] [--token-ms 5] [--tokens 20] [--levels 1,20]
 *                           [--turns 10] [--specialists research,calculation,writing]
 *
 * In-process: `runTeam` (lib/agents/team.ts) against the mock model server through the real
 * gateway (`OPENAI_BASE_URL` = the mock, small tier mock-small, large tier mock-large), with the
 * research specialist's search on an in-memory PGlite database. Every model request waits
 * --delay-ms before its first token (the mock's delay-first) and paces --tokens words --token-ms
 * apart. Each prompt carries `[[mock:structured=<plan>]]`, so the orchestrator's structured-output
 * call gets a valid plan naming --specialists, while the specialists and the aggregator get the
 * mock's ordinary reply. For each level c, c closed-loop users each run --turns turns.
 *
 * Per turn, from the team's own trace: plan latency, each branch's latency, the aggregate's; the
 * turn's wall time (runTeam called → stream ended) and its TTFT (→ first text delta of the answer).
 * Reported: p50/p95 of wall, of plan + slowest branch + aggregate (the floor of a parallel run), of
 * the sum and max of the branches, the ratio wall / floor (goal ≤ 1.2) and what serial branches
 * would have cost. Prints figures; never fails on them (exits 1 only when a turn did not finish).
 */
import { startMockOpenAI } from "../e2e/fixtures/mock-openai/server";
import { resetEnvCache } from "../lib/config/env";
import { createTestDatabase, seededUser } from "../lib/db/testing";
import { principalFor } from "../lib/db/test-principals";
import type { Principal } from "../lib/principal";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (!a.startsWith("--")) continue;
  const [k, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
  if (inline !== undefined) args.set(k, inline);
  else if (process.argv[i + 1] !== undefined && !process.argv[i + 1]!.startsWith("--")) args.set(k, process.argv[++i]!);
  else args.set(k, "true");
}
const KNOWN = ["delay-ms", "token-ms", "tokens", "levels", "turns", "specialists"];
for (const k of args.keys()) {
  if (!KNOWN.includes(k)) {
    console.error(`bench:agents: unknown option --${k} (known: ${KNOWN.map((x) => `--${x}`).join(", ")})`);
    process.exit(2);
  }
}
const num = (k: string, d: number) => {
  const v = Number(args.get(k) ?? d);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`bench:agents: --${k} must be a non-negative number`);
    process.exit(2);
  }
  return v;
};
const DELAY = num("delay-ms", 300);
const TOKEN_MS = num("token-ms", 5);
const TOKENS = num("tokens", 20);
const TURNS = Math.max(1, Math.floor(num("turns", 10)));
const LEVELS = (args.get("levels") ?? "1,20").split(",").map((x) => Math.max(1, Math.floor(Number(x)))).filter(Number.isFinite);
const SPECIALISTS = (args.get("specialists") ?? "research,calculation,writing").split(",").map((s) => s.trim()).filter(Boolean);

interface Sample {
  wall: number;
  ttft: number;
  plan: number;
  branches: number[];
  aggregate: number;
  ok: boolean;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "-");

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= "silent";
  const mock = await startMockOpenAI({ port: 0, defaults: { delayFirst: DELAY, delayToken: TOKEN_MS, tokens: TOKENS }, maxRecordedRequests: 1000 });
  Object.assign(process.env, {
    OPENAI_BASE_URL: mock.url,
    OPENAI_API_KEY: "sk-bench",
    MODEL_SMALL: "mock-small",
    MODEL_LARGE: "mock-large",
    MODEL_MAX_RETRIES: "0",
    MODEL_CACHE_TIERS: "",
  });
  delete process.env.MODEL_DEPLOYMENTS;
  resetEnvCache();
  const t = await createTestDatabase();
  const { runTeam } = await import("../lib/agents/team");
  const { DEFAULT_AGENTS } = await import("../lib/agents/defaults");
  const users: Principal[] = [];
  for (const email of ["alice@acme.test", "dan@acme.test", "bob@acme.test", "carol@acme.test", "heidi@acme.test", "ivan@acme.test"]) users.push(principalFor(await seededUser(t.db, email)));

  const plan = JSON.stringify({ specialists: SPECIALISTS.map((agent) => ({ agent, task: `the ${agent} part`, input: agent === "calculation" ? "2+2" : "offsite budget" })) });
  const prompt = `Please do ${SPECIALISTS.length} things [[mock:structured=${plan}]]`;

  async function turn(user: Principal, n: number): Promise<Sample> {
    const t0 = performance.now();
    let ttft = NaN;
    const run = runTeam({
      principal: user,
      requestId: `bench-${n}`,
      conversationId: `bench-conv-${n}`,
      messages: [{ role: "user", content: prompt }],
      userText: prompt,
      recalled: [],
      agents: DEFAULT_AGENTS,
      signal: new AbortController().signal,
      deadline: Date.now() + 60_000,
      emit: () => {},
    });
    const traces = new Map<string, { latencyMs?: number; status?: string }>();
    let last = "";
    const reader = run.stream.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const p = r.value;
      last = p.type;
      if (p.type === "data-trace") traces.set(p.id, p.data as { latencyMs?: number; status?: string });
      if (p.type === "text-delta" && Number.isNaN(ttft) && p.text.length > 0) ttft = performance.now() - t0;
    }
    const wall = performance.now() - t0;
    await run.result;
    const branches = SPECIALISTS.map((a) => traces.get(`branch:${a}`)?.latencyMs ?? NaN);
    const ok = last === "finish" && SPECIALISTS.every((a) => traces.get(`branch:${a}`)?.status === "done");
    return { wall, ttft, plan: traces.get("plan")?.latencyMs ?? NaN, branches, aggregate: traces.get("aggregate")?.latencyMs ?? NaN, ok };
  }

  console.log(
    `bench:agents — mock delay-first ${DELAY} ms, ${TOKENS} tokens ${TOKEN_MS} ms apart; plan → ${SPECIALISTS.join(" + ")} in parallel → aggregate; ${TURNS} turns per user`,
  );
  console.log("  c  turns  ok | wall p50  p95 | floor p50 (plan+max+agg) | wall/floor p50  p95 | branches sum p50  max p50 | serial est. p50 | TTFT p50  p95 | plan p50  agg p50");
  let failed = 0;
  let n = 0;
  await turn(users[0]!, n++); // warm-up (module loading, first connections)
  for (const c of LEVELS) {
    mock.reset();
    const samples: Sample[] = [];
    await Promise.all(
      Array.from({ length: c }, async (_, i) => {
        for (let k = 0; k < TURNS; k++) samples.push(await turn(users[i % users.length]!, n++));
      }),
    );
    const ok = samples.filter((s) => s.ok);
    failed += samples.length - ok.length;
    const floor = ok.map((s) => s.plan + Math.max(...s.branches) + s.aggregate);
    const ratio = ok.map((s, i) => s.wall / floor[i]!);
    const sum = ok.map((s) => s.branches.reduce((a, b) => a + b, 0));
    const max = ok.map((s) => Math.max(...s.branches));
    const serial = ok.map((s) => s.plan + s.branches.reduce((a, b) => a + b, 0) + s.aggregate);
    console.log(
      `${String(c).padStart(3)}  ${String(samples.length).padStart(5)} ${String(ok.length).padStart(3)} | ${f0(pct(ok.map((s) => s.wall), 50)).padStart(8)} ${f0(pct(ok.map((s) => s.wall), 95)).padStart(4)} | ${f0(pct(floor, 50)).padStart(24)} | ${f2(pct(ratio, 50)).padStart(14)} ${f2(pct(ratio, 95)).padStart(4)} | ${f0(pct(sum, 50)).padStart(16)} ${f0(pct(max, 50)).padStart(8)} | ${f0(pct(serial, 50)).padStart(15)} | ${f0(pct(ok.map((s) => s.ttft), 50)).padStart(8)} ${f0(pct(ok.map((s) => s.ttft), 95)).padStart(4)} | ${f0(pct(ok.map((s) => s.plan), 50)).padStart(8)} ${f0(pct(ok.map((s) => s.aggregate), 50)).padStart(8)}`,
    );
  }
  console.log("  (ms; wall = runTeam called → stream ended; TTFT → first text delta of the aggregated answer; goal wall/floor ≤ 1.2)");
  await mock.close();
  await t.dispose();
  if (failed > 0) {
    console.error(`bench:agents: ${failed} turn(s) did not finish with every branch done`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
