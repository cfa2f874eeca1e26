import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import type { AskResult, Request } from "./__fixtures__/gateway-process";
import { startOwnRedis, type OwnRedis } from "./__fixtures__/redis-server";

/**
 * Two app processes (lib/models/__fixtures__/gateway-process.ts, each a separate Node process
 * building the gateway from the same MODEL_DEPLOYMENTS, as the server does) share breaker state
 * through a redis-server of this test's own, which the test also freezes, stops and restarts.
 * Deployment a (priority 0) and b (priority 1) are two mock model servers.
 */
const FIXTURE = fileURLToPath(new URL("./__fixtures__/gateway-process.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COOLDOWN_MS = 2_500;

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
type LogLine = { level: number; msg: string; component?: string };

class AppProcess {
  readonly logs: LogLine[] = [];
  private next = 1;
  private readonly pending = new Map<number, (m: { result?: unknown; error?: string }) => void>();
  private constructor(private readonly child: ChildProcess) {}

  static async start(env: Record<string, string>): Promise<AppProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const p = new AppProcess(child);
    let buf = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          p.logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.on("message", (m: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
        if (m.ready) return resolve();
        p.pending.get(m.id!)?.(m);
        p.pending.delete(m.id!);
      });
      child.once("exit", (code) => reject(new Error(`app process exited (${code}): ${err}`)));
    });
    return p;
  }

  private send<T>(req: WithoutId<Request>): Promise<T> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(m.error)) : resolve(m.result as T)));
      this.child.send({ ...req, id });
    });
  }

  /** These prompts as concurrent turns of this process. */
  ask(...prompts: string[]): Promise<AskResult[]> {
    return this.send({ op: "ask", prompts });
  }

  /** One turn after the other. */
  async askInTurn(...prompts: string[]): Promise<AskResult[]> {
    const out: AskResult[] = [];
    for (const p of prompts) out.push(...(await this.ask(p)));
    return out;
  }

  view(): Promise<Record<string, string>> {
    return this.send({ op: "view" });
  }

  redisStatus(): Promise<string> {
    return this.send({ op: "redis-status" });
  }

  count(level: number, msg: RegExp): number {
    return this.logs.filter((l) => l.level === level && msg.test(l.msg)).length;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
  }
}

let redis: OwnRedis;
let inspect: Redis;
let a: MockOpenAIServer;
let b: MockOpenAIServer;
let p1: AppProcess;
let p2: AppProcess;

const modelRequests = (m: MockOpenAIServer) => m.requests().filter((r) => r.path === "/v1/chat/completions");
const answeredBy = (rs: AskResult[]) => rs.map((r) => (r.ok ? r.deploymentId : `error: ${r.error}`));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GONE = /^Redis unreachable/;
const BACK = /^Redis reachable again/;
const BREAKER_FALLBACK = /breaker state store unreachable/;

beforeAll(async () => {
  [redis, a, b] = await Promise.all([startOwnRedis(), startMockOpenAI({ port: 0 }), startMockOpenAI({ port: 0 })]);
  inspect = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 100, 1000) });
  inspect.on("error", () => {});
  await inspect.connect();
  const deployments = [
    { id: "a", provider: "openai-compatible", baseURL: a.url, model: "model-a", tiers: ["small", "large"], priority: 0 },
    { id: "b", provider: "openai-compatible", baseURL: b.url, model: "model-b", tiers: ["small", "large"], priority: 1 },
  ];
  const env = {
    NODE_ENV: "test",
    MODEL_DEPLOYMENTS: JSON.stringify(deployments),
    REDIS_URL: redis.url,
    MODEL_MAX_RETRIES: "0",
    MODEL_BREAKER_FAILURES: "3",
    MODEL_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
    MODEL_CACHE_TIERS: "",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
  };
  [p1, p2] = await Promise.all([AppProcess.start(env), AppProcess.start(env)]);
}, 60_000);

afterAll(async () => {
  p1?.stop();
  p2?.stop();
  inspect?.disconnect();
  await Promise.all([a?.close(), b?.close(), redis?.dispose()]);
});

describe("breaker state shared through Redis by two app processes", () => {
  it("the second process sends nothing to a deployment the first one opened, and answers from the other", async () => {
    a.enqueueFaults({ status: 500, times: 3 });
    expect(answeredBy(await p1.askInTurn("p1 first", "p1 second", "p1 third"))).toEqual(["b", "b", "b"]);
    expect(modelRequests(a)).toHaveLength(3);
    const stored = JSON.parse((await inspect.get("enclave:breaker:a"))!) as { openUntil: number };
    expect(stored.openUntil).toBeGreaterThan(Date.now());

    // Process 2 never saw a fail: it still keeps off a.
    expect(await p2.view()).toMatchObject({ a: "open", b: "closed" });
    expect(answeredBy(await p2.askInTurn("p2 one", "p2 two", "p2 three"))).toEqual(["b", "b", "b"]);
    expect(answeredBy(await p2.ask("p2 x", "p2 y", "p2 z"))).toEqual(["b", "b", "b"]);
    expect(modelRequests(a)).toHaveLength(3);
    expect(modelRequests(b).filter((r) => JSON.stringify(r.body).includes("p2 "))).toHaveLength(6);
  }, 30_000);

  it("after the cooldown exactly one probe goes to the deployment across both processes, and its success closes it for both", async () => {
    const stored = JSON.parse((await inspect.get("enclave:breaker:a"))!) as { openUntil: number };
    await sleep(Math.max(0, stored.openUntil - Date.now()) + 50);
    expect(await p1.view()).toMatchObject({ a: "half-open" });
    const before = modelRequests(a).length;
    // The probe takes a second, so every other turn starts while it is under way.
    a.enqueueFaults({ delayFirst: 1_000 });
    const prompts = (who: string) => Array.from({ length: 6 }, (_, i) => `${who} half-open ${i}`);
    const [r1, r2] = await Promise.all([p1.ask(...prompts("p1")), p2.ask(...prompts("p2"))]);
    const all = answeredBy([...r1, ...r2]);
    expect(modelRequests(a).length - before).toBe(1);
    expect(all.filter((x) => x === "a")).toHaveLength(1);
    expect(all.filter((x) => x === "b")).toHaveLength(11);

    expect(await inspect.exists("enclave:breaker:a", "enclave:breaker-probe:a")).toBe(0);
    expect(await p1.view()).toMatchObject({ a: "closed" });
    expect(await p2.view()).toMatchObject({ a: "closed" });
    expect(answeredBy(await p2.ask("p2 after the probe"))).toEqual(["a"]);
  }, 30_000);

  it("a Redis that stops answering costs a turn at most the command timeouts, not a hang", async () => {
    redis.freeze();
    try {
      const [r] = await p1.ask("while redis is frozen");
      expect(r).toMatchObject({ ok: true, deploymentId: "a" });
      expect(r!.ms).toBeLessThan(2_000);
      console.log(`frozen Redis: a turn took ${r!.ms} ms (200 ms per breaker command that timed out)`);
    } finally {
      redis.thaw();
    }
    expect(p1.count(40, BREAKER_FALLBACK)).toBe(1);
    // Back to shared state once Redis answers again.
    await expect.poll(async () => (await p1.ask("after thaw"))[0]?.ok, { timeout: 5_000 }).toBe(true);
  }, 30_000);

  it("Redis stopped: calls keep working on each process's own state with one warning; restarted on the same port, state is shared again", async () => {
    await redis.stop();
    const warnedBefore = p1.count(40, BREAKER_FALLBACK);

    const t0 = Date.now();
    const plain = await p1.askInTurn(...Array.from({ length: 5 }, (_, i) => `redis down ${i}`));
    expect(answeredBy(plain)).toEqual(["a", "a", "a", "a", "a"]);
    expect(Date.now() - t0).toBeLessThan(5_000);

    // The local breaker still works: a fails three times, then p1 keeps off it on its own.
    const aBefore = modelRequests(a).length;
    a.enqueueFaults({ status: 500, times: 3 });
    expect(answeredBy(await p1.askInTurn("local 1", "local 2", "local 3"))).toEqual(["b", "b", "b"]);
    expect(answeredBy(await p1.askInTurn("local 4", "local 5"))).toEqual(["b", "b"]);
    expect(modelRequests(a).length - aBefore).toBe(3);
    // p2 has its own local state: a is closed there.
    expect(answeredBy(await p2.ask("p2 while redis is down"))).toEqual(["a"]);

    // One warning each for the whole outage (the client's, and the breaker's fallback), not one per call.
    expect(p1.count(40, GONE)).toBe(1);
    expect(p2.count(40, GONE)).toBe(1);
    expect(p1.count(40, BREAKER_FALLBACK) - warnedBefore).toBe(1);

    await redis.start();
    await expect.poll(async () => [await p1.redisStatus(), await p2.redisStatus()], { timeout: 10_000, interval: 100 }).toEqual(["ready", "ready"]);
    expect(p1.count(30, BACK)).toBe(1);
    expect(p2.count(30, BACK)).toBe(1);

    // Shared again: the restarted (empty) Redis says a is closed, whatever p1 had locally; p1
    // opens it there, and p2 keeps off it.
    a.enqueueFaults({ status: 500, times: 3 });
    const aBeforeShared = modelRequests(a).length;
    expect(answeredBy(await p1.askInTurn("shared 1", "shared 2", "shared 3"))).toEqual(["b", "b", "b"]);
    expect(modelRequests(a).length - aBeforeShared).toBe(3);
    expect(await inspect.exists("enclave:breaker:a")).toBe(1);
    expect(answeredBy(await p2.askInTurn("p2 shared 1", "p2 shared 2"))).toEqual(["b", "b"]);
    expect(modelRequests(a).length - aBeforeShared).toBe(3);
    expect(p1.count(40, GONE)).toBe(1);
  }, 60_000);
});
