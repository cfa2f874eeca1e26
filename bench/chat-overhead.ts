/**
 * What Enclave adds before the first token, under load.
 *
 *   npm run bench:chat-load -- [--users 100] [--turns 5] [--db pglite|postgres]
 *                              [--token-ms 20] [--think-ms 1000] [--profile DIR] [--log info]
 *
 * Starts the mock OpenAI server and a production Enclave server pointed at it, signs in N users,
 * then has them all chat at once: each user sends a turn, reads the whole streamed reply (the
 * mock paces tokens --token-ms apart, ~45 tokens a reply), waits --think-ms, and goes again.
 * So at any moment most users are mid-stream, as in real use. It measures time to first token
 * (TTFT) through Enclave and, under the same load, directly against the mock. The difference is
 * what Enclave adds: auth and session lookup, validation, the database reads and writes before
 * the model call, and the streaming plumbing. `--token-ms 0 --think-ms 0` turns it into a
 * saturation test (every user fires turns back to back), where latency is queueing.
 * Needs a production build (`npm run build`). Prints figures; never fails on them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { startMockOpenAI } from "../e2e/fixtures/mock-openai/server";
import { openDatabase, type Database } from "../lib/db/client";
import { seedDatabase } from "../lib/db/seed";
import { createThrowawayPostgres } from "../lib/db/testing";
import { pct } from "./stats";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const USERS = Number(args.get("users") ?? 100);
const TURNS = Number(args.get("turns") ?? 5);
const DB = (args.get("db") ?? "pglite") as "pglite" | "postgres";
const PORT = Number(args.get("port") ?? 3390);
const TOKEN_MS = Number(args.get("token-ms") ?? 20);
const THINK_MS = Number(args.get("think-ms") ?? 1000);
// Long enough that the mock's echo reply is ~45 tokens.
const PROMPT =
  "How did the Q3 numbers compare with the plan for the northern region, which product lines grew fastest, " +
  "what drove the churn we saw in September, and what should the sales team focus on next quarter to recover?";
const BASE = `http://localhost:${PORT}`;

const fmt = (n: number) => n.toFixed(1).padStart(7);

/** CPU time (user + system, ms) the process has used so far; NaN where /proc is not there. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks, 100 a second on Linux
  } catch {
    return NaN;
  }
}

async function firstTokenMs(res: Response, t0: number, marker: RegExp): Promise<number> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let ttft = NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    if (Number.isNaN(ttft) && marker.test(buf)) ttft = performance.now() - t0;
  }
  return ttft;
}

async function signIn(email: string): Promise<string> {
  const csrfRes = await fetch(`${BASE}/api/auth/csrf`);
  const cookie = (csrfRes.headers.getSetCookie() ?? []).map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${BASE}/api/auth/callback/dev`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, email, callbackUrl: `${BASE}/chat` }),
  });
  const session = (res.headers.getSetCookie() ?? []).map((c) => c.split(";")[0] ?? "").find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in failed for ${email}: ${res.status}`);
  return session;
}

async function main(): Promise<void> {
  const mock = await startMockOpenAI({ port: 0, defaults: { delayToken: TOKEN_MS } });
  const dataDir = mkdtempSync(join(tmpdir(), "enclave-bench-"));
  let dbUrl: string | null = null;
  let drop: (() => Promise<void>) | null = null;
  let db: Database;
  if (DB === "postgres") {
    const pg = await createThrowawayPostgres();
    dbUrl = pg.url;
    drop = pg.drop;
    db = await openDatabase({ kind: "postgresql", url: pg.url, migrate: true });
  } else {
    db = await openDatabase({ kind: "pglite", dataDir: join(dataDir, "pglite") });
  }
  await seedDatabase(db.prisma);
  const acme = await db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  const emails = Array.from({ length: USERS }, (_, i) => `load-${String(i).padStart(3, "0")}@acme.test`);
  await db.prisma.user.createMany({ data: emails.map((email) => ({ email, name: email, orgId: acme.id })), skipDuplicates: true });
  await db.close();

  // --profile DIR: write a V8 CPU profile of the server process for the whole run.
  const profile = args.get("profile") ? ["--cpu-prof", `--cpu-prof-dir=${args.get("profile")}`] : [];
  // --workers N (PostgreSQL only): run through `npm start`'s cluster, one server per core.
  const workers = Number(args.get("workers") ?? 1);
  const command = workers > 1 ? ["scripts/start.mjs"] : [...profile, "node_modules/next/dist/bin/next", "start", "-p", String(PORT)];
  const server = spawn(process.execPath, command, {
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      ENCLAVE_DATA_DIR: dataDir,
      DATABASE_URL: dbUrl ?? "",
      ENCLAVE_DEV_LOGIN: "true",
      AUTH_SECRET: "bench-secret-bench-secret-bench-secret",
      AUTH_URL: BASE,
      PORT: String(PORT),
      WEB_CONCURRENCY: String(workers),
      AUDIT_SIGNING_KEY: "bench-audit-key-bench-audit-key",
      OPENAI_BASE_URL: mock.url,
      MODEL_LARGE: "mock-large",
      MODEL_MAX_RETRIES: "0",
      LOG_LEVEL: args.get("log") ?? "warn",
    },
    stdio: ["ignore", args.get("log") ? "pipe" : "inherit", "inherit"],
  });
  if (args.get("log")) server.stdout!.pipe((await import("node:fs")).createWriteStream(args.get("logfile") ?? ".tmp/bench-server.log"));
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${BASE}/api/health`)).ok) break;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const phases: Record<string, number[]> = {};
    const cookies: string[] = [];
    for (const e of emails) cookies.push(await signIn(e));

    // Warm-up: JIT, connection pools, first-request compilation of routes.
    await Promise.all(cookies.slice(0, 10).map((c) => chatTurn(c)));

    async function chatTurn(cookie: string, conversationId = randomUUID()): Promise<number> {
      const t0 = performance.now();
      const res = await fetch(`${BASE}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: JSON.stringify({ id: conversationId, message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: PROMPT }] } }),
      });
      if (!res.ok) throw new Error(`chat ${res.status}: ${await res.text()}`);
      for (const m of (res.headers.get("server-timing") ?? "").matchAll(/([\w-]+);dur=([\d.]+)/g)) {
        (phases[m[1]!] ??= []).push(Number(m[2]));
      }
      return firstTokenMs(res, t0, /"type":"text-delta"/);
    }

    async function directTurn(): Promise<number> {
      const t0 = performance.now();
      const res = await fetch(`${mock.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer x" },
        body: JSON.stringify({ model: "mock-large", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: PROMPT }] }),
      });
      // The first chunk carries only the role (content ""); the first token is non-empty content.
      return firstTokenMs(res, t0, /"content":"[^"]/);
    }

    async function run(label: string, one: (i: number) => Promise<number>): Promise<number[]> {
      const samples: number[] = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: USERS }, async (_, i) => {
          // Stagger the start so users are spread over the think time, as they would be.
          await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
          for (let k = 0; k < TURNS; k++) {
            samples.push(await one(i));
            await new Promise((r) => setTimeout(r, THINK_MS * (0.5 + Math.random())));
          }
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      console.log(
        `${label.padEnd(28)} n=${samples.length}  p50 ${fmt(pct(samples, 50))} ms  p95 ${fmt(pct(samples, 95))} ms  p99 ${fmt(pct(samples, 99))} ms  (${(samples.length / secs).toFixed(0)} turns/s)`,
      );
      return samples;
    }

    console.log(
      `\n${USERS} users chatting at once, ${TURNS} turns each, database ${DB}, model tokens ${TOKEN_MS} ms apart, think time ~${THINK_MS} ms\n`,
    );
    const direct = await run("TTFT direct to model", () => directTurn());
    const convs = cookies.map(() => randomUUID());
    const cpu0 = cpuMs(server.pid);
    const self0 = process.cpuUsage();
    const via = await run("TTFT through Enclave", (i) => chatTurn(cookies[i]!, convs[i]));
    const cpuPerTurn = (cpuMs(server.pid) - cpu0) / via.length;
    const self = process.cpuUsage(self0);
    // The load generator (clients and mock model) shares the machine's cores with the server.
    const benchCpuPerTurn = (self.user + self.system) / 1000 / via.length;
    console.log(
      `\nEnclave overhead before the first token: p50 ${(pct(via, 50) - pct(direct, 50)).toFixed(1)} ms, p95 ${(pct(via, 95) - pct(direct, 95)).toFixed(1)} ms`,
    );
    if (workers === 1) console.log(`Server CPU per turn (whole turn, streaming included): ${cpuPerTurn.toFixed(1)} ms`);
    console.log(`Load generator CPU per turn (clients + mock model, same machine): ${benchCpuPerTurn.toFixed(1)} ms`);
    console.log("\nServer-side phases (Server-Timing), ms:");
    for (const [name, xs] of Object.entries(phases)) {
      console.log(`  ${name.padEnd(8)} p50 ${fmt(pct(xs, 50))}  p95 ${fmt(pct(xs, 95))}`);
    }
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    await mock.close();
    rmSync(dataDir, { recursive: true, force: true });
    await drop?.();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
