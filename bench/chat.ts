/**
 * What Enclave costs a streamed chat turn, next to the model itself and next to the least any
 * relay could do, measured side by side in one run against one mock model.
 *
 *   npm run bench:chat -- [--targets direct,relay,enclave1,enclave2] [--levels 1,10,50,100]
 *                         [--tokens 40,400] [--duration-s 15] [--min-turns 20]
 *                         [--open-streams 1000] [--open-targets direct,relay,enclave2,enclave1]
 *                         [--app-dir DIR] [--server-node PATH] [--relay-node PATH]
 *                         [--launcher auto|start|bench] [--quick]
 *
 * Targets, each started alone (one at a time, so they never compete for the cores):
 *   direct    the mock model itself (OpenAI Chat Completions SSE);
 *   relay     bench/bare-relay.ts: node:http → streamText → UI message stream, nothing else (the floor);
 *   enclave1  Enclave on PostgreSQL, WEB_CONCURRENCY=1;
 *   enclave2  Enclave on PostgreSQL, WEB_CONCURRENCY=2 (node:cluster).
 * The mock waits 200 ms before the first token (--first-ms) and paces tokens 5 ms apart
 * (--token-ms); every prompt carries `[[mock:tokens=N]]`, so each reply is exactly N word tokens.
 *
 * Load: for each concurrency level c and reply length, c virtual users in a closed loop (each
 * sends a turn, reads the whole stream, sends the next; no think time). Each Enclave virtual user
 * is its own signed-in user (a per-user concurrency limit must never throttle the bench) with its
 * own conversation, replaced every --turns-per-conversation turns so the history the server
 * loads and sends stays the same size at every level. Users start spread over a ramp (at most 2 s
 * or one turn); the measurement window opens after it and closes after --duration-s once at least
 * --min-turns turns have completed (never later than 3 × duration + 10 s). TTFT samples are the
 * turns that started in the window; throughput counts the turns that ended in it; CPU, RSS, lag
 * are taken over the window.
 *
 * "Open streams": --open-streams N users each open one long stream at once (200 tokens 100 ms
 * apart, ~20 s), opened over a 2 s ramp, to see what holding many slow streams costs.
 *
 * Processes. The load generator runs here, on node:http with a keep-alive agent (lighter than
 * fetch/undici: it only scans bytes for three markers, never decodes the stream). The mock runs
 * in its own child process: at c=100 with 400-token replies it writes ~20 000 SSE chunks a second,
 * and in this process that work would show up as generator CPU and event-loop lag and delay the
 * timers that stamp first tokens. Apart, its CPU is reported on its own (mock CPU). Enclave is
 * started from --app-dir with --server-node through that checkout's scripts/start.mjs when its
 * build stamp is current (otherwise start.mjs would rebuild first, so bench/cluster-start.mjs, the
 * same cluster set-up without the build step, serves the existing build; --launcher forces one).
 * Migrations and the seed run with that checkout's own scripts (db-migrate.ts, db-seed.ts) on a
 * throwaway PostgreSQL database (lib/db/testing.ts), so an older checkout gets its own schema.
 * Server CPU is utime+stime from /proc/<pid>/stat summed over the launcher and all its
 * descendants (the cluster primary, which hands connections to workers, included).
 *
 * Ports 3400-3403 (mock 3401, relay 3402, Enclave 3403; --port-base moves them). Everything it
 * starts is stopped by pid in a finally block; a watchdog (--max-minutes, default from the plan)
 * bounds the whole run. Needs a production build in --app-dir. Prints figures; never fails on them.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
} from "node:fs";
import http from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { createThrowawayPostgres } from "../lib/db/testing";
import { pct } from "./stats";

// ─────────────────────────────────────────────────────────────────────────────────── options

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opt } = parseArgs({
  options: {
    targets: { type: "string" },
    levels: { type: "string" },
    tokens: { type: "string" },
    "duration-s": { type: "string" },
    "min-turns": { type: "string" },
    "open-streams": { type: "string" },
    "open-targets": { type: "string" },
    "open-tokens": { type: "string" },
    "open-token-ms": { type: "string" },
    "first-ms": { type: "string" },
    "token-ms": { type: "string" },
    "turns-per-conversation": { type: "string" },
    "app-dir": { type: "string" },
    "server-node": { type: "string" },
    "relay-node": { type: "string" },
    launcher: { type: "string" },
    "port-base": { type: "string" },
    "max-minutes": { type: "string" },
    quick: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
if (opt.help) {
  const src = readFileSync(fileURLToPath(import.meta.url), "utf8");
  console.log(/\/\*\*([\s\S]*?)\*\//.exec(src)?.[1]?.replace(/^ \* ?/gm, "") ?? "");
  process.exit(0);
}
const QUICK = opt.quick;
const list = (v: string | undefined, d: string) =>
  (v ?? d)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const nums = (v: string | undefined, d: string) => list(v, d).map(Number);
const ALL_TARGETS = ["direct", "relay", "enclave1", "enclave2"] as const;
type TargetName = (typeof ALL_TARGETS)[number];
const asTargets = (xs: string[]): TargetName[] => {
  for (const x of xs)
    if (!(ALL_TARGETS as readonly string[]).includes(x))
      throw new Error(`unknown target '${x}' (${ALL_TARGETS.join(", ")})`);
  return ALL_TARGETS.filter((t) => xs.includes(t));
};
const TARGETS = asTargets(list(opt.targets, "direct,relay,enclave1,enclave2"));
const LEVELS = nums(opt.levels, QUICK ? "1,10" : "1,10,50,100");
const TOKENS = nums(opt.tokens, QUICK ? "40" : "40,400");
const DURATION_MS = Number(opt["duration-s"] ?? (QUICK ? 3 : 15)) * 1000;
const MIN_TURNS = Number(opt["min-turns"] ?? (QUICK ? 3 : 20));
let OPEN_N = Number(opt["open-streams"] ?? (QUICK ? 100 : 1000));
const OPEN_TARGETS =
  OPEN_N > 0
    ? asTargets(list(opt["open-targets"], "direct,relay,enclave2,enclave1")).filter((t) =>
        TARGETS.includes(t),
      )
    : [];
const OPEN_TOKENS = Number(opt["open-tokens"] ?? (QUICK ? 20 : 200));
const OPEN_TOKEN_MS = Number(opt["open-token-ms"] ?? 100);
const FIRST_MS = Number(opt["first-ms"] ?? 200);
const TOKEN_MS = Number(opt["token-ms"] ?? 5);
const TURNS_PER_CONV = Number(opt["turns-per-conversation"] ?? 10);
const APP_DIR = resolve(opt["app-dir"] ?? REPO);
const SERVER_NODE = opt["server-node"] ?? process.execPath;
const RELAY_NODE = opt["relay-node"] ?? SERVER_NODE;
const LAUNCHER = (opt.launcher ?? "auto") as "auto" | "start" | "bench";
const PORT_BASE = Number(opt["port-base"] ?? 3400);
const MOCK_PORT = PORT_BASE + 1;
const RELAY_PORT = PORT_BASE + 2;
const ENCLAVE_PORT = PORT_BASE + 3;
if (!["auto", "start", "bench"].includes(LAUNCHER)) throw new Error("--launcher auto|start|bench");
for (const [k, v] of Object.entries({
  DURATION_MS,
  MIN_TURNS,
  OPEN_N,
  OPEN_TOKENS,
  OPEN_TOKEN_MS,
  FIRST_MS,
  TOKEN_MS,
  TURNS_PER_CONV,
  PORT_BASE,
})) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`bad value for ${k}: ${v}`);
}
if (LEVELS.some((c) => !Number.isInteger(c) || c < 1) || TOKENS.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error("--levels and --tokens take positive integers");

// Long enough to look like a question; the directive fixes the reply's length.
const PROMPT =
  "How did the Q3 numbers compare with the plan for the northern region, which product lines grew fastest, " +
  "what drove the churn we saw in September, and what should the sales team focus on next quarter to recover?";
const ENCLAVE_ENV_SECRET = "bench-secret-bench-secret-bench-secret";

// ──────────────────────────────────────────────────────────────────────────────── helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const median = (xs: number[]) => pct(xs, 50);
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "–");
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const signed = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(0)}` : "–");

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const PAGE = Number(spawnSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).stdout.trim()) || 4096;

interface ProcStat {
  ppid: number;
  cpuMs: number;
  rssBytes: number;
}
function procStat(pid: number): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = raw.slice(raw.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
    return {
      ppid: Number(f[1]),
      cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK,
      rssBytes: Number(f[21]) * PAGE,
    };
  } catch {
    return null;
  }
}
/**
 * `root` and all its descendants, root first, without tsx's esbuild helper (bench tooling, idle
 * once the code is loaded).
 */
function processTree(root: number): number[] {
  return processTreeAll(root).filter((p) => p === root || !exeOf(p).endsWith("/esbuild"));
}
function processTreeAll(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of (children.get(p) ?? []).sort((a, b) => a - b)) walk(c);
  };
  if (procStat(root)) walk(root);
  return out;
}
const cpuOf = (pids: number[]) => pids.reduce((s, p) => s + (procStat(p)?.cpuMs ?? 0), 0);
/** Busy and total jiffies of the whole machine (all cores, every process, other users' too). */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}
function exeOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return "?";
  }
}
function nodeVersion(bin: string): string {
  return spawnSync(bin, ["-v"], { encoding: "utf8" }).stdout.trim() || "?";
}
function openFileLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  return Number(line?.split(/\s{2,}/)[1] ?? NaN);
}

// ─────────────────────────────────────────────────────────────────────── child processes

const started: ChildProcess[] = [];
const logDir = mkdtempSync(join(tmpdir(), "enclave-bench-chat-"));

function startChild(
  label: string,
  cmd: string,
  args: string[],
  o: { cwd: string; env?: NodeJS.ProcessEnv; readyLine?: RegExp },
): Promise<ChildProcess> {
  const logPath = join(logDir, `${label}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(cmd, args, {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  return new Promise((resolveReady, reject) => {
    if (!o.readyLine) return resolveReady(child);
    let buf = "";
    const timer = setTimeout(
      () => reject(new Error(`${label} did not start in 30 s (log: ${logPath})`)),
      30_000,
    );
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      if (o.readyLine!.test(buf)) {
        clearTimeout(timer);
        resolveReady(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready; log: ${logPath}\n${tail(logPath)}`));
    });
  });
}
function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
/** SIGTERM, then SIGKILL after 10 s; afterwards SIGKILL any of its descendants still alive. */
async function stopChild(child: ChildProcess): Promise<void> {
  const i = started.indexOf(child);
  if (i >= 0) started.splice(i, 1);
  if (child.pid === undefined) return;
  const tree = processTreeAll(child.pid);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(t);
  }
  for (let k = 0; k < 20; k++) {
    const alive = tree.slice(1).filter((p) => procStat(p) !== null);
    if (alive.length === 0) return;
    if (k === 19) for (const p of alive) process.kill(p, "SIGKILL");
    await sleep(100);
  }
}

// ─────────────────────────────────────────────────────────────────────────────── requests

const MARK_DIRECT = Buffer.from('"delta":{"content":"');
const MARK_UI = Buffer.from('"type":"text-delta"');
const MARK_ERROR = Buffer.from('"type":"error"');
const MARK_DONE = Buffer.from("[DONE]");

interface Target {
  name: TargetName;
  port: number;
  path: string;
  /** Server processes (root first); empty for direct (its server is the mock). */
  root: number | null;
  agent: http.Agent;
  body(vu: number, turn: number, tokens: number, directive: string): string;
  headers(vu: number): Record<string, string>;
  first: Buffer;
  /** Phases from Server-Timing are collected only for Enclave. */
  timing: boolean;
}

interface Turn {
  start: number;
  ttft: number;
  end: number;
  ok: boolean;
  error?: string;
  serverTiming?: string;
  /** Longest gap between two chunks, ms. */
  maxGap: number;
}

function turn(t: Target, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Turn> {
  const start = now();
  return new Promise((done) => {
    let ttft = NaN;
    let tailBuf = Buffer.alloc(0);
    let sawError = false;
    let last = start;
    let maxGap = 0;
    let finished = false;
    const finish = (r: Omit<Turn, "start" | "ttft" | "maxGap">) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done({ start, ttft, maxGap, ...r });
    };
    const req = http.request(
      {
        host: "127.0.0.1",
        port: t.port,
        path: t.path,
        method: "POST",
        agent: t.agent,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        const serverTiming =
          typeof res.headers["server-timing"] === "string" ? res.headers["server-timing"] : undefined;
        if (res.statusCode !== 200) {
          let text = "";
          res.on("data", (c: Buffer) => {
            if (text.length < 300) text += c.toString();
          });
          res.on("end", () =>
            finish({ end: now(), ok: false, error: `HTTP ${res.statusCode}: ${text.slice(0, 160)}` }),
          );
          return;
        }
        res.on("data", (chunk: Buffer) => {
          const at = now();
          if (!Number.isNaN(ttft) && at - last > maxGap) maxGap = at - last;
          last = at;
          const hay = tailBuf.length > 0 ? Buffer.concat([tailBuf, chunk]) : chunk;
          if (Number.isNaN(ttft) && hay.indexOf(t.first) !== -1) ttft = at - start;
          if (!sawError && hay.indexOf(MARK_ERROR) !== -1) sawError = true;
          tailBuf = Buffer.from(hay.subarray(Math.max(0, hay.length - 32)));
        });
        res.on("end", () => {
          const end = now();
          const complete = tailBuf.indexOf(MARK_DONE) !== -1;
          if (sawError) finish({ end, ok: false, error: "error part in the stream", serverTiming });
          else if (!complete) finish({ end, ok: false, error: "stream ended without [DONE]", serverTiming });
          else if (Number.isNaN(ttft))
            finish({ end, ok: false, error: "no text in the stream", serverTiming });
          else finish({ end, ok: true, serverTiming });
        });
        res.on("error", (e) => finish({ end: now(), ok: false, error: `response: ${e.message}` }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (e) => finish({ end: now(), ok: false, error: e.message }));
    req.end(body);
  });
}

// ─────────────────────────────────────────────────────────────────────────── measurement

interface Sampled {
  pids: number[];
  rssMax: Map<number, number>;
  stop(): void;
}
function sampleRss(pids: number[]): Sampled {
  const rssMax = new Map<number, number>();
  const tick = () => {
    for (const p of pids) {
      const s = procStat(p);
      if (s) rssMax.set(p, Math.max(rssMax.get(p) ?? 0, s.rssBytes));
    }
  };
  tick();
  const h = setInterval(tick, 500);
  return { pids, rssMax, stop: () => (clearInterval(h), tick()) };
}

interface Window {
  ms: number;
  serverCpuMs: number;
  mockCpuMs: number;
  genCpuMs: number;
  lagP99: number;
  lagMax: number;
  machineBusy: number;
  rss: number[];
  procCountChanged: boolean;
}
const ELD_RES_MS = 10;
function openWindow(serverPids: number[], mockPid: number) {
  const t0 = now();
  const srv0 = cpuOf(serverPids);
  const mock0 = cpuOf([mockPid]);
  const gen0 = process.cpuUsage();
  const m0 = machineTicks();
  const eld = monitorEventLoopDelay({ resolution: ELD_RES_MS });
  eld.enable();
  const rss = sampleRss(serverPids);
  return (): Window => {
    const ms = now() - t0;
    const srv = cpuOf(serverPids) - srv0;
    const mock = cpuOf([mockPid]) - mock0;
    const gen = process.cpuUsage(gen0);
    const m1 = machineTicks();
    eld.disable();
    rss.stop();
    // The histogram counts the timer's own interval: subtract it to get the lag.
    const lag = (v: number) => Math.max(0, v / 1e6 - ELD_RES_MS);
    return {
      ms,
      serverCpuMs: srv,
      mockCpuMs: mock,
      genCpuMs: (gen.user + gen.system) / 1000,
      lagP99: lag(eld.percentile(99)),
      lagMax: lag(eld.max),
      machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
      rss: serverPids.map((p) => rss.rssMax.get(p) ?? NaN),
      procCountChanged: serverPids.some((p) => procStat(p) === null),
    };
  };
}

interface LevelResult {
  target: TargetName;
  c: number;
  tokens: number;
  ttft: number[];
  completed: number;
  errors: number;
  errorSamples: string[];
  turnsPerSec: number;
  phases: Record<string, number[]>;
  win: Window;
  mockPid: number;
}

function collectPhases(turns: Turn[]): Record<string, number[]> {
  const phases: Record<string, number[]> = {};
  for (const t of turns)
    for (const m of (t.serverTiming ?? "").matchAll(/([\w-]+);dur=([\d.]+)/g))
      (phases[m[1]!] ??= []).push(Number(m[2]));
  return phases;
}

async function runLevel(t: Target, c: number, tokens: number, mockPid: number): Promise<LevelResult> {
  const serverPids = t.root === null ? [] : processTree(t.root);
  const turnMs = FIRST_MS + tokens * TOKEN_MS;
  const ramp = Math.min(2000, turnMs);
  const timeoutMs = 30_000 + turnMs * 10;
  const cap = DURATION_MS * 3 + 10_000;
  const directive = `[[mock:tokens=${tokens}]]`;
  const t0 = now();
  const windowStart = t0 + ramp;
  let windowEnd = Infinity;
  const measured: { win?: Window } = {};
  const turns: Turn[] = [];
  let completedInWindow = 0;

  const controller = (async () => {
    await sleep(ramp);
    const close = openWindow(serverPids, mockPid);
    for (;;) {
      await sleep(50);
      const elapsed = now() - windowStart;
      if ((elapsed >= DURATION_MS && completedInWindow >= MIN_TURNS) || elapsed >= cap) break;
    }
    windowEnd = now();
    measured.win = close();
  })();

  await Promise.all(
    Array.from({ length: c }, async (_, vu) => {
      await sleep(Math.random() * ramp);
      for (let k = 0; now() < windowEnd; k++) {
        const r = await turn(t, t.body(vu, k, tokens, directive), t.headers(vu), timeoutMs);
        turns.push(r);
        if (r.end >= windowStart && r.end <= windowEnd && r.ok) completedInWindow++;
      }
    }),
  );
  await controller;
  const inWindow = turns.filter((r) => r.start >= windowStart && r.start < windowEnd);
  const failed = turns.filter((r) => !r.ok);
  const w = measured.win!;
  return {
    target: t.name,
    c,
    tokens,
    ttft: inWindow.filter((r) => r.ok).map((r) => r.ttft),
    completed: completedInWindow,
    errors: failed.length,
    errorSamples: [...new Set(failed.map((r) => r.error ?? "?"))].slice(0, 3),
    turnsPerSec: completedInWindow / (w.ms / 1000),
    phases: t.timing ? collectPhases(inWindow.filter((r) => r.ok)) : {},
    win: w,
    mockPid,
  };
}

interface OpenResult {
  target: TargetName;
  n: number;
  ok: number;
  errors: number;
  errorSamples: string[];
  ttft: number[];
  duration: number[];
  maxGap: number[];
  win: Window;
}

async function runOpen(t: Target, n: number, mockPid: number): Promise<OpenResult> {
  const serverPids = t.root === null ? [] : processTree(t.root);
  const ramp = QUICK ? 500 : 2000;
  const streamMs = FIRST_MS + OPEN_TOKENS * OPEN_TOKEN_MS;
  const directive = `[[mock:tokens=${OPEN_TOKENS},delay-token=${OPEN_TOKEN_MS}]]`;
  const close = openWindow(serverPids, mockPid);
  const results = await Promise.all(
    Array.from({ length: n }, async (_, vu) => {
      await sleep((vu / n) * ramp);
      return turn(t, t.body(vu, 1_000_000, OPEN_TOKENS, directive), t.headers(vu), streamMs * 3 + 30_000);
    }),
  );
  const win = close();
  const failed = results.filter((r) => !r.ok);
  const ok = results.filter((r) => r.ok);
  return {
    target: t.name,
    n,
    ok: ok.length,
    errors: failed.length,
    errorSamples: [...new Set(failed.map((r) => r.error ?? "?"))].slice(0, 3),
    ttft: ok.map((r) => r.ttft),
    duration: ok.map((r) => r.end - r.start),
    maxGap: ok.map((r) => r.maxGap),
    win,
  };
}

// ─────────────────────────────────────────────────────────────────────────────── targets

const RUN = randomUUID().slice(0, 8);
const uiBody = (conv: string, text: string) =>
  JSON.stringify({ id: conv, message: { id: randomUUID(), role: "user", parts: [{ type: "text", text }] } });
const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 10_000 });

function directTarget(): Target {
  return {
    name: "direct",
    port: MOCK_PORT,
    path: "/v1/chat/completions",
    root: null,
    agent: newAgent(),
    first: MARK_DIRECT,
    timing: false,
    body: (_vu, _k, _n, directive) =>
      JSON.stringify({
        model: "mock-large",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: `${PROMPT} ${directive}` }],
      }),
    headers: () => ({ authorization: "Bearer bench" }),
  };
}

/** Conversation ids: one per virtual user, replaced every TURNS_PER_CONV turns; fresh per level. */
let levelSeq = 0;
function conversationFor(target: string, vu: number, k: number): string {
  return `b${RUN}-${target}-${levelSeq}-${vu}-${Math.floor(k / Math.max(1, TURNS_PER_CONV))}`;
}

function uiTarget(name: TargetName, port: number, root: number, cookies: string[] | null): Target {
  return {
    name,
    port,
    path: "/api/chat",
    root,
    agent: newAgent(),
    first: MARK_UI,
    timing: cookies !== null,
    body: (vu, k, _n, directive) => uiBody(conversationFor(name, vu, k), `${PROMPT} ${directive}`),
    headers: (vu): Record<string, string> =>
      cookies ? { cookie: cookies[vu]!, host: `localhost:${port}` } : {},
  };
}

async function waitHttp(
  url: string,
  timeoutMs: number,
  child: ChildProcess,
  label: string,
  logPath: string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new Error(`${label} exited (${child.exitCode}); log: ${logPath}\n${tail(logPath)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  throw new Error(`${label} not ready after ${timeoutMs / 1000} s; log: ${logPath}\n${tail(logPath)}`);
}

/** start.mjs's build fingerprint, computed the same way, to know whether it would rebuild. */
function startStampIsCurrent(root: string): boolean {
  const SOURCES = [
    "app",
    "components",
    "lib",
    "public",
    "prisma/schema.prisma",
    "instrumentation.ts",
    "next.config.js",
    "postcss.config.mjs",
    "tsconfig.json",
    "package-lock.json",
  ];
  const SKIP = new Set(["node_modules", ".next", "generated", ".data"]);
  const stamp = join(root, ".next", "enclave-build-stamp");
  if (!existsSync(join(root, ".next", "BUILD_ID")) || !existsSync(stamp)) return false;
  const h = createHash("sha256");
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!SKIP.has(name)) walk(join(p, name));
    } else h.update(`${relative(root, p)}:${st.size}:${st.mtimeMs}\n`);
  };
  SOURCES.forEach((s) => walk(join(root, s)));
  return readFileSync(stamp, "utf8") === h.digest("hex");
}

interface EnclaveDb {
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

function enclaveEnv(db: EnclaveDb, workers: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    ENCLAVE_DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    ENCLAVE_DEV_LOGIN: "true",
    AUTH_SECRET: ENCLAVE_ENV_SECRET,
    AUTH_URL: `http://localhost:${ENCLAVE_PORT}`,
    AUTH_TRUST_HOST: "true",
    PORT: String(ENCLAVE_PORT),
    WEB_CONCURRENCY: String(workers),
    AUDIT_SIGNING_KEY: "bench-audit-key-bench-audit-key",
    OPENAI_BASE_URL: `http://127.0.0.1:${MOCK_PORT}/v1`,
    MODEL_LARGE: "mock-large",
    MODEL_SMALL: "mock-small",
    MODEL_MAX_RETRIES: "0",
    LOG_LEVEL: "warn",
  };
}

/** A throwaway PostgreSQL database migrated and seeded by the app's own scripts, plus `users` load users. */
async function prepareDatabase(users: number): Promise<EnclaveDb> {
  const pgdb = await createThrowawayPostgres();
  const db: EnclaveDb = { url: pgdb.url, dataDir: join(logDir, "data"), drop: pgdb.drop };
  try {
    for (const script of ["scripts/db-migrate.ts", "scripts/db-seed.ts"]) {
      const r = spawnSync(SERVER_NODE, ["--import", "tsx", script], {
        cwd: APP_DIR,
        env: enclaveEnv(db, 1),
        encoding: "utf8",
        timeout: 120_000,
      });
      if (r.status !== 0)
        throw new Error(`${script} in ${APP_DIR} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const r = await c.query(
        `INSERT INTO "User" (id, "orgId", email, name)
         SELECT 'bench-user-' || g, o.id, 'bench-' || lpad(g::text, 4, '0') || '@acme.test', 'Bench user ' || g
         FROM generate_series(0, $1::int - 1) g, "Org" o WHERE o.slug = 'acme'
         ON CONFLICT (email) DO NOTHING`,
        [users],
      );
      if ((r.rowCount ?? 0) < users)
        throw new Error(`created ${r.rowCount} of ${users} load users (no 'acme' org after the seed?)`);
    } finally {
      await c.end();
    }
    return db;
  } catch (e) {
    await db.drop();
    throw e;
  }
}

async function signIn(base: string, email: string): Promise<string> {
  const signal = AbortSignal.timeout(30_000);
  const csrfRes = await fetch(`${base}/api/auth/csrf`, { signal });
  const cookie = (csrfRes.headers.getSetCookie() ?? []).map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/dev`, {
    method: "POST",
    redirect: "manual",
    signal,
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, email, callbackUrl: `${base}/chat` }),
  });
  const session = (res.headers.getSetCookie() ?? [])
    .map((c) => c.split(";")[0] ?? "")
    .find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in failed for ${email}: HTTP ${res.status}`);
  return session;
}

async function signInAll(n: number): Promise<string[]> {
  const base = `http://localhost:${ENCLAVE_PORT}`;
  const cookies: string[] = new Array(n);
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        cookies[i] = await signIn(base, `bench-${String(i).padStart(4, "0")}@acme.test`);
      }
    }),
  );
  console.error(`  signed in ${n} users in ${((now() - t0) / 1000).toFixed(1)} s`);
  return cookies;
}

// ────────────────────────────────────────────────────────────────────────────────── report

function rssCell(w: Window): string {
  return w.rss.length === 0 ? "–" : w.rss.map((b) => f0(b / 2 ** 20)).join("/");
}

function printLevel(c: number, tokens: number, rows: LevelResult[]): void {
  const direct = rows.find((r) => r.target === "direct");
  const d50 = direct ? median(direct.ttft) : NaN;
  const d95 = direct ? pct(direct.ttft, 95) : NaN;
  console.log(
    `\n── c=${c}, ${tokens}-token replies (first token after ${FIRST_MS} ms, then ${TOKEN_MS} ms apart)`,
  );
  const head = [
    "target".padEnd(9),
    "turns".padStart(6),
    "err".padStart(4),
    "turns/s".padStart(8),
    "×direct".padStart(8),
    "TTFT p50".padStart(9),
    "p95".padStart(6),
    "+p50".padStart(6),
    "+p95".padStart(6),
    "CPU/turn".padStart(9),
    "CPU/1k tok".padStart(11),
    "  RSS MB (max, per process)".padEnd(28),
    "gen CPU%".padStart(9),
    "lag p99".padStart(8),
    "max".padStart(5),
    "mock CPU%".padStart(10),
    "machine%".padStart(9),
  ];
  console.log(head.join(" "));
  for (const r of rows) {
    const isDirect = r.target === "direct";
    const cpuTurn = isDirect ? NaN : r.win.serverCpuMs / Math.max(1, r.completed);
    const cells = [
      r.target.padEnd(9),
      String(r.completed).padStart(6),
      String(r.errors).padStart(4),
      f1(r.turnsPerSec).padStart(8),
      (direct ? f2(r.turnsPerSec / direct.turnsPerSec) : "–").padStart(8),
      f0(median(r.ttft)).padStart(9),
      f0(pct(r.ttft, 95)).padStart(6),
      (isDirect ? "" : signed(median(r.ttft) - d50)).padStart(6),
      (isDirect ? "" : signed(pct(r.ttft, 95) - d95)).padStart(6),
      (isDirect ? "–" : f1(cpuTurn)).padStart(9),
      (isDirect ? "–" : f0((cpuTurn * 1000) / tokens)).padStart(11),
      `  ${rssCell(r.win)}${r.win.procCountChanged ? " (a process exited!)" : ""}`.padEnd(28),
      f0((100 * r.win.genCpuMs) / r.win.ms).padStart(9),
      f0(r.win.lagP99).padStart(8),
      f0(r.win.lagMax).padStart(5),
      f0((100 * r.win.mockCpuMs) / r.win.ms).padStart(10),
      f0(100 * r.win.machineBusy).padStart(9),
    ];
    console.log(cells.join(" "));
    for (const e of r.errorSamples) console.log(`${"".padEnd(10)}error: ${e}`);
  }
}

function printPhases(results: LevelResult[]): void {
  const wanted = LEVELS.filter((c) => c === 1 || c === 50);
  const levels = wanted.length > 0 ? wanted : LEVELS;
  const rows = results.filter((r) => levels.includes(r.c) && Object.keys(r.phases).length > 0);
  if (rows.length === 0) return;
  console.log(`\n── Server-Timing phases reported by Enclave, ms: median / p95 (c=${levels.join(", c=")})`);
  for (const r of rows) {
    const cells = Object.entries(r.phases).map(
      ([name, xs]) => `${name} ${f1(median(xs))} / ${f1(pct(xs, 95))}`,
    );
    console.log(
      `  c=${String(r.c).padEnd(4)} ${String(r.tokens).padStart(4)} tok  ${r.target.padEnd(9)} ${cells.join("   ")}`,
    );
  }
}

function printOpen(rows: OpenResult[]): void {
  if (rows.length === 0) return;
  console.log(
    `\n── open streams: ${rows[0]!.n} at once, ${OPEN_TOKENS} tokens ${OPEN_TOKEN_MS} ms apart (~${((FIRST_MS + OPEN_TOKENS * OPEN_TOKEN_MS) / 1000).toFixed(0)} s each), opened over ${QUICK ? 0.5 : 2} s`,
  );
  console.log(
    [
      "target".padEnd(9),
      "ok".padStart(5),
      "err".padStart(5),
      "TTFT p50".padStart(9),
      "p95".padStart(6),
      "max".padStart(6),
      "stream p95 s".padStart(13),
      "gap p95".padStart(8),
      "srv CPU s".padStart(10),
      "  RSS MB (max, per process)".padEnd(28),
      "gen CPU%".padStart(9),
      "lag p99".padStart(8),
      "max".padStart(5),
      "mock CPU%".padStart(10),
      "machine%".padStart(9),
    ].join(" "),
  );
  for (const r of rows) {
    console.log(
      [
        r.target.padEnd(9),
        String(r.ok).padStart(5),
        String(r.errors).padStart(5),
        f0(median(r.ttft)).padStart(9),
        f0(pct(r.ttft, 95)).padStart(6),
        f0(pct(r.ttft, 100)).padStart(6),
        f1(pct(r.duration, 95) / 1000).padStart(13),
        f0(pct(r.maxGap, 95)).padStart(8),
        (r.target === "direct" ? "–" : f1(r.win.serverCpuMs / 1000)).padStart(10),
        `  ${rssCell(r.win)}`.padEnd(28),
        f0((100 * r.win.genCpuMs) / r.win.ms).padStart(9),
        f0(r.win.lagP99).padStart(8),
        f0(r.win.lagMax).padStart(5),
        f0((100 * r.win.mockCpuMs) / r.win.ms).padStart(10),
        f0(100 * r.win.machineBusy).padStart(9),
      ].join(" "),
    );
    for (const e of r.errorSamples) console.log(`${"".padEnd(10)}error: ${e}`);
  }
}

function gitRev(dir: string): string {
  const r = spawnSync("git", ["-C", dir, "log", "-1", "--format=%h %s"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().slice(0, 90) : "not a git checkout";
}

// ──────────────────────────────────────────────────────────────────────────────────── main

async function main(): Promise<void> {
  const enclaveTargets = TARGETS.filter((t) => t.startsWith("enclave"));
  if (enclaveTargets.length > 0 && !existsSync(join(APP_DIR, ".next", "BUILD_ID"))) {
    throw new Error(`no production build in ${APP_DIR}/.next: build it first (npm run build)`);
  }
  // File descriptors: the generator holds one socket per stream; a server holds the client's and its own to the model.
  const fdLimit = openFileLimit();
  const fdNeeded = Math.max(...LEVELS, OPEN_N) * 2 + 512;
  if (Number.isFinite(fdLimit) && fdLimit < fdNeeded) {
    const fit = Math.max(0, Math.floor((fdLimit - 512) / 2));
    console.error(
      `\n!! ulimit -n is ${fdLimit}; ${Math.max(...LEVELS, OPEN_N)} streams need about ${fdNeeded} open files per process. ` +
        `Raise it (\`ulimit -n ${fdNeeded * 2}\` in this shell) or expect EMFILE errors. Open streams cut to ${fit}.\n`,
    );
    OPEN_N = Math.min(OPEN_N, fit);
  }
  const openEnclave = OPEN_N > 0 && OPEN_TARGETS.some((t) => t.startsWith("enclave"));
  const usersNeeded = Math.max(...LEVELS, openEnclave ? OPEN_N : 0);

  // A rough upper bound for the plan, for the watchdog.
  const perLevel = TOKENS.reduce(
    (s, n) =>
      s + Math.min(2000, FIRST_MS + n * TOKEN_MS) + DURATION_MS * 3 + 10_000 + (FIRST_MS + n * TOKEN_MS) * 3,
    0,
  );
  const planMs =
    TARGETS.length * (LEVELS.length * perLevel + 60_000) +
    OPEN_TARGETS.length * (FIRST_MS + OPEN_TOKENS * OPEN_TOKEN_MS) * 2 +
    usersNeeded * 100 +
    180_000;
  const maxMs = Number(opt["max-minutes"] ?? Math.ceil(planMs / 60_000)) * 60_000;
  const typical =
    TARGETS.length *
      (LEVELS.length *
        TOKENS.reduce((s, n) => s + Math.max(DURATION_MS, MIN_TURNS * (FIRST_MS + n * TOKEN_MS)) + 3000, 0) +
        15_000) +
    OPEN_TARGETS.length * (FIRST_MS + OPEN_TOKENS * OPEN_TOKEN_MS + 5000);

  console.log(`bench:chat — Enclave vs the bare relay vs the model, closed loop (no think time)`);
  console.log(
    `  targets ${TARGETS.join(", ")}; levels c=${LEVELS.join(",")}; replies ${TOKENS.join(",")} tokens; window ≥ ${DURATION_MS / 1000} s and ≥ ${MIN_TURNS} turns per level`,
  );
  console.log(
    `  mock: first token after ${FIRST_MS} ms, tokens ${TOKEN_MS} ms apart; open streams: ${OPEN_N > 0 ? `${OPEN_N} × ${OPEN_TOKENS} tokens ${OPEN_TOKEN_MS} ms apart on ${OPEN_TARGETS.join(", ")}` : "skipped"}`,
  );
  console.log(
    `  machine: ${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, ulimit -n ${fdLimit}; generator node ${process.version}`,
  );
  if (enclaveTargets.length > 0)
    console.log(
      `  enclave: ${APP_DIR} (${gitRev(APP_DIR)}), node ${nodeVersion(SERVER_NODE)} (${SERVER_NODE})`,
    );
  if (TARGETS.includes("relay")) console.log(`  relay:   node ${nodeVersion(RELAY_NODE)} (${RELAY_NODE})`);
  console.log(
    `  expect ~${Math.ceil(typical / 60_000)} min; watchdog at ${maxMs / 60_000} min. Logs: ${logDir}`,
  );

  let db: EnclaveDb | null = null;
  let cookies: string[] | null = null;
  const results: LevelResult[] = [];
  const openResults: OpenResult[] = [];
  const idleCpu = new Map<TargetName, number>();
  const watchdog = setTimeout(() => {
    console.error(`\n!! bench:chat exceeded ${maxMs / 60_000} min; stopping everything.`);
    void cleanup().finally(() => process.exit(1));
  }, maxMs);
  watchdog.unref();
  let cleaned = false;
  async function cleanup(): Promise<void> {
    if (cleaned) return;
    cleaned = true;
    for (const c of [...started].reverse()) await stopChild(c).catch(() => {});
    await db?.drop().catch((e: unknown) => console.error("dropping the bench database:", e));
  }
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const mock = await startChild(
      "mock",
      process.execPath,
      [
        "--import",
        "tsx",
        "e2e/fixtures/mock-openai/cli.ts",
        "--port",
        String(MOCK_PORT),
        "--delay-first",
        String(FIRST_MS),
        "--delay-token",
        String(TOKEN_MS),
        "--max-recorded",
        "100",
      ],
      { cwd: REPO, readyLine: /listening on/ },
    );
    const mockPid = mock.pid!;

    for (const name of TARGETS) {
      let child: ChildProcess | null = null;
      let target: Target;
      const t0 = now();
      if (name === "direct") {
        target = directTarget();
      } else if (name === "relay") {
        // Node 24 strips the types itself; older ones need tsx's loader (whose esbuild helper is left out of the tree).
        const loader =
          Number(nodeVersion(RELAY_NODE).replace(/^v/, "").split(".")[0]) >= 24 ? [] : ["--import", "tsx"];
        child = await startChild(
          "relay",
          RELAY_NODE,
          [
            ...loader,
            "bench/bare-relay.ts",
            "--port",
            String(RELAY_PORT),
            "--model-url",
            `http://127.0.0.1:${MOCK_PORT}/v1`,
          ],
          {
            cwd: REPO,
            readyLine: /listening on/,
          },
        );
        target = uiTarget("relay", RELAY_PORT, child.pid!, null);
      } else {
        const workers = name === "enclave2" ? 2 : 1;
        if (!db) {
          console.error(
            `  preparing a PostgreSQL database with ${usersNeeded} load users (migrate + seed with ${APP_DIR}'s scripts)…`,
          );
          db = await prepareDatabase(usersNeeded);
        }
        const useStart = LAUNCHER === "start" || (LAUNCHER === "auto" && startStampIsCurrent(APP_DIR));
        const script = useStart
          ? join(APP_DIR, "scripts", "start.mjs")
          : join(REPO, "bench", "cluster-start.mjs");
        console.error(
          `  starting ${name} with ${useStart ? "scripts/start.mjs" : "bench/cluster-start.mjs (start.mjs's build stamp is stale; same cluster, no rebuild)"}…`,
        );
        child = await startChild(name, SERVER_NODE, [script], { cwd: APP_DIR, env: enclaveEnv(db, workers) });
        const logPath = join(logDir, `${name}.log`);
        await waitHttp(
          `http://localhost:${ENCLAVE_PORT}/api/health`,
          useStart ? 300_000 : 90_000,
          child,
          name,
          logPath,
        );
        // Every worker must be up: wait until the tree holds them all, then a few more health checks.
        for (let i = 0; i < 100 && processTree(child.pid!).length < workers + 1; i++) await sleep(200);
        for (let i = 0; i < workers * 4; i++)
          await waitHttp(`http://localhost:${ENCLAVE_PORT}/api/health`, 30_000, child, name, logPath);
        cookies ??= await signInAll(usersNeeded);
        target = uiTarget(name, ENCLAVE_PORT, child.pid!, cookies);
      }
      if (target.root !== null) {
        const tree = processTree(target.root);
        console.error(`  ${name}: processes ${tree.map((p) => `${p} (${exeOf(p)})`).join(", ")}`);
      }
      // Warm-up (not measured): JIT, connection pools, first compilation of routes, every worker.
      levelSeq++;
      await Promise.all(
        Array.from({ length: Math.min(10, Math.max(...LEVELS)) }, async (_, vu) => {
          for (let k = 0; k < 3; k++)
            await turn(target, target.body(vu, k, 40, "[[mock:tokens=40]]"), target.headers(vu), 60_000);
        }),
      );
      // Idle cost (timers, background jobs): it is inside every CPU/turn figure, and dominates at c=1.
      const idleMs = QUICK ? 1000 : 3000;
      const idle = openWindow(target.root === null ? [] : processTree(target.root), mockPid);
      await sleep(idleMs);
      const iw = idle();
      idleCpu.set(name, target.root === null ? NaN : (100 * iw.serverCpuMs) / iw.ms);
      console.error(
        `  ${name} ready and warm in ${((now() - t0) / 1000).toFixed(1)} s; idle server CPU ${f1(idleCpu.get(name)!)}%`,
      );

      for (const tokens of TOKENS) {
        for (const c of LEVELS) {
          levelSeq++;
          const r = await runLevel(target, c, tokens, mockPid);
          results.push(r);
          console.error(
            `  ${name.padEnd(8)} c=${String(c).padEnd(3)} ${String(tokens).padStart(3)} tok: ${r.completed} turns, ${f1(r.turnsPerSec)}/s, TTFT p50 ${f0(median(r.ttft))} p95 ${f0(pct(r.ttft, 95))} ms, ${r.errors} errors`,
          );
        }
      }
      if (OPEN_TARGETS.includes(name)) {
        levelSeq++;
        const r = await runOpen(target, OPEN_N, mockPid);
        openResults.push(r);
        console.error(
          `  ${name.padEnd(8)} open streams: ${r.ok} ok, ${r.errors} errors, TTFT p95 ${f0(pct(r.ttft, 95))} ms`,
        );
      }
      target.agent.destroy();
      if (child) await stopChild(child);
    }
  } finally {
    await cleanup();
    clearTimeout(watchdog);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  console.log(
    `\nColumns: turns = turns completed in the window; err = failed turns (whole level); turns/s and ×direct = throughput and its ratio to the mock alone;\n` +
      `TTFT = request sent → first text token read, ms; +p50/+p95 = added over direct at the same level; CPU/turn, CPU/1k tok = server CPU ms\n` +
      `(all its processes) per completed turn and per 1,000 streamed tokens; RSS = max resident MB of each server process, launcher first;\n` +
      `gen CPU% = this load generator (100 = one core), lag = its event-loop delay p99 / max, ms; mock CPU% = the mock model's process;\n` +
      `machine% = all cores busy, every process on the machine. When gen CPU% nears 100, lag grows or machine% nears 100, the machine is the limit, not the target.`,
  );
  const idleCells = [...idleCpu].filter(([, v]) => Number.isFinite(v)).map(([k, v]) => `${k} ${f1(v)}%`);
  if (idleCells.length > 0)
    console.log(
      `Idle server CPU (one core = 100%; included in CPU/turn, so it weighs most at c=1): ${idleCells.join(", ")}`,
    );
  const levelKeys = [...new Set(results.map((r) => `${r.tokens}:${r.c}`))];
  for (const key of levelKeys) {
    const [tokens, c] = key.split(":").map(Number) as [number, number];
    printLevel(
      c,
      tokens,
      results.filter((r) => r.c === c && r.tokens === tokens),
    );
  }
  printPhases(results);
  printOpen(openResults);
  rmSync(logDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  console.error(`(server logs kept in ${logDir})`);
  process.exit(1);
});
