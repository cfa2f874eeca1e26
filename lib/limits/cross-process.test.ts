import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startOwnRedis, type OwnRedis } from "@/lib/models/__fixtures__/redis-server";
import type { AdmitResult, Request } from "./__fixtures__/admission-process";

/**
 * Two real Node processes, each admitting turns as the server does (installSharedState from its
 * environment, then Admission on the process's shared Redis client), on a redis-server of this
 * test's own. The full HTTP version (two `next start` processes on PostgreSQL) is
 * e2e/limits/two-processes.spec.ts.
 */
const FIXTURE = fileURLToPath(new URL("./__fixtures__/admission-process.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

class AppProcess {
  private next = 1;
  private readonly pending = new Map<number, (m: { result?: unknown; error?: string }) => void>();
  private constructor(private readonly child: ChildProcess) {}

  static async start(env: Record<string, string>): Promise<AppProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "silent", ...env }, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    const p = new AppProcess(child);
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.on("message", (m: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
        if (m.ready) return resolve();
        p.pending.get(m.id!)?.(m);
        p.pending.delete(m.id!);
      });
      child.once("exit", (code) => reject(new Error(`admission process exited (${code}): ${err}`)));
    });
    return p;
  }

  admit(req: Omit<Request, "id" | "op">): Promise<AdmitResult[]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(m.error)) : resolve(m.result as AdmitResult[])));
      this.child.send({ ...req, op: "admit", id });
    });
  }

  stop(): void {
    this.child.kill("SIGTERM");
  }
}

let redis: OwnRedis;
let p1: AppProcess;
let p2: AppProcess;
beforeAll(async () => {
  redis = await startOwnRedis();
  const env = { REDIS_URL: redis.url, RATE_LIMIT_USER_RPM: "3", USER_MAX_CONCURRENT_TURNS: "3", LIMITS_PREFIX: `enclave-test:xproc:${randomUUID().slice(0, 6)}` };
  [p1, p2] = await Promise.all([AppProcess.start(env), AppProcess.start(env)]);
}, 60_000);
afterAll(async () => {
  p1?.stop();
  p2?.stop();
  await redis?.dispose();
});

describe("two app processes sharing Redis", () => {
  it("enforce one per-user RPM: with 3, the 4th turn is refused whichever process gets it", async () => {
    const who = { userId: `u-${randomUUID().slice(0, 6)}`, orgId: "o-1" };
    const r = [...(await p1.admit({ ...who, count: 1 })), ...(await p2.admit({ ...who, count: 1 })), ...(await p1.admit({ ...who, count: 1 }))];
    expect(r.map((x) => x.ok)).toEqual([true, true, true]);
    const [fourth] = await p2.admit({ ...who, count: 1 });
    const [fifth] = await p1.admit({ ...who, count: 1 });
    for (const x of [fourth!, fifth!]) {
      expect(x).toMatchObject({ ok: false, code: "rate_limited", reason: "user_rpm" });
      expect((x as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
  });

  it("share one concurrency cap: 2 × 50 concurrent admissions with cap 3 admit exactly 3", async () => {
    // A user whose turns per minute are lifted (a user override), so only the cap applies; each
    // admitted turn is held for 2 s.
    const who = { userId: `unlimited-${randomUUID().slice(0, 6)}`, orgId: "o-2" };
    const [a, b] = await Promise.all([p1.admit({ ...who, count: 50, holdMs: 2_000 }), p2.admit({ ...who, count: 50, holdMs: 2_000 })]);
    const all = [...a, ...b];
    const admitted = all.filter((x) => x.ok).length;
    const reasons = new Set(all.filter((x) => !x.ok).map((x) => (x as { reason: string }).reason));
    console.log(`two processes, 100 concurrent admissions: ${admitted} admitted, refused for ${[...reasons].join(", ")}`);
    expect(admitted).toBe(3);
    expect(reasons).toEqual(new Set(["concurrency"]));
    // Once the held turns end, their slots are free again, on either process.
    await vi.waitFor(async () => expect((await p2.admit({ ...who, count: 3 })).map((x) => x.ok)).toEqual([true, true, true]), { timeout: 15_000, interval: 250 });
  });
});
