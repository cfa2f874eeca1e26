import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors/app-error";
import { startOwnRedis, type OwnRedis } from "@/lib/models/__fixtures__/redis-server";
import { createRedisClient } from "@/lib/models/shared-state";
import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";
import { Admission, type AdmissionOptions } from "./admission";
import { composeGuards } from "./compose";
import type { ResolvedLimits } from "./resolve";

/**
 * Admission against real stores: in memory, and on Redis, where two Admission instances on one
 * Redis are what two app processes see (lib/limits/cross-process.test.ts runs real processes).
 * The machine's Redis is used under a per-run key prefix; the outage test runs its own.
 */
const RUN = `enclave-test:limits:${randomUUID().slice(0, 8)}`;
const SHARED_URL = "redis://127.0.0.1:6379";

function principal(over: Partial<Principal> = {}): Principal {
  return {
    userId: `u-${randomUUID().slice(0, 8)}`,
    orgId: `o-${randomUUID().slice(0, 8)}`,
    role: "member",
    teamId: null,
    sessionId: "s",
    email: "x@acme.test",
    name: "X",
    permissions: new Set(),
    managedTeamIds: [],
    via: "session",
    ...over,
  };
}

const clients: Redis[] = [];
const engines: Admission[] = [];
async function redisClient(url = SHARED_URL): Promise<Redis> {
  const c = createRedisClient(url);
  clients.push(c);
  await c.connect().catch(() => {});
  return c;
}
function engine(limits: Partial<ResolvedLimits>, opts: Partial<AdmissionOptions> & { redis: Redis | null }, prefix = `${RUN}:${randomUUID().slice(0, 6)}`): Admission {
  const a = new Admission({
    prefix,
    defaults: () => ({ maxConcurrentTurns: 1_000, ...limits }),
    overrides: async () => [],
    backlog: () => ({ pending: 0, limit: 1, behind: false, retryAfterSeconds: 1 }),
    ...opts,
  });
  engines.push(a);
  return a;
}
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => {
      if (!(e instanceof AppError)) throw e;
      return e;
    },
  );

afterAll(async () => {
  for (const e of engines) e.close();
  for (const c of clients) c.disconnect();
});
afterEach(() => vi.restoreAllMocks());

describe.each([
  ["memory", false],
  ["redis", true],
])("admission on %s", (_name, useRedis) => {
  let redis: Redis | null = null;
  beforeAll(async () => {
    redis = useRedis ? await redisClient() : null;
  });

  it("requests per minute per user: the 4th turn with RPM 3 is 429 user_rpm with when to send again; refused turns do not count", async () => {
    const a = engine({ userRpm: 3 }, { redis });
    const p = principal();
    for (let i = 0; i < 3; i++) (await a.admit(p)).release();
    const err = await refusal(a.admit(p));
    expect(err).toBeInstanceOf(AppError);
    expect(err!.code).toBe("rate_limited");
    expect(err!.reason).toBe("user_rpm");
    expect(err!.message).toMatch(/^You have sent 3 turns this minute, your limit\. You can send again in \d+ s\.$/);
    const res = err!.toResponse();
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect((await res.json()).error).toMatchObject({ code: "rate_limited", reason: "user_rpm", retryAfterSeconds: retry, details: { limit: "user_rpm", max: 3, used: 3 } });
    // Refusals took nothing: still exactly 3 counted.
    await refusal(a.admit(p));
    expect((await a.windows.peek("requests", `${p.orgId}:${p.userId}`)).used).toBe(3);
    // Someone else in another org is unaffected.
    (await a.admit(principal())).release();
  });

  it("requests per minute per org count every member", async () => {
    const a = engine({ orgRpm: 2 }, { redis });
    const orgId = `o-${randomUUID().slice(0, 8)}`;
    (await a.admit(principal({ orgId }))).release();
    (await a.admit(principal({ orgId }))).release();
    const err = await refusal(a.admit(principal({ orgId })));
    expect(err?.reason).toBe("org_rpm");
    expect(err?.message).toMatch(/^Your organization has sent 2 turns this minute, its limit\./);
  });

  it("100 concurrent admissions with a cap of 3: exactly 3 admitted, 97 refused (concurrency); a released slot is free again", async () => {
    const a = engine({ maxConcurrentTurns: 3 }, { redis });
    const p = principal();
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => a.admit(p)));
    const admitted = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<Admission["admit"]>>>).value);
    const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as AppError);
    console.log(`${_name}: 100 concurrent → ${admitted.length} admitted, ${refused.length} refused`);
    expect(admitted).toHaveLength(3);
    expect(refused).toHaveLength(97);
    expect(new Set(refused.map((e) => e.reason))).toEqual(new Set(["concurrency"]));
    expect(refused[0]!.message).toMatch(/You already have 3 turns running, your limit of 3 at once/);
    expect(refused[0]!.toResponse().headers.get("retry-after")).toBe("5");
    admitted[0]!.release();
    admitted[0]!.release(); // twice is once
    const next = await a.admit(p);
    await expect(a.admit(p)).rejects.toMatchObject({ reason: "concurrency" });
    for (const x of [next, ...admitted.slice(1)]) x.release();
  });

  it("tokens per minute: each call reserves its estimate, a call that would pass the limit is refused (the turn stops there), the reservation is reconciled after", async () => {
    const a = engine({ userTpm: 1_000 }, { redis });
    const p = principal();
    const t = await a.admit(p);
    const est = (n: number) => ({ deploymentId: "d", model: "m", inputTokens: n - 100, outputTokens: 100 });
    const first = est(600);
    await t.guard.beforeCall(first);
    const second = est(600);
    const err = await refusal(t.guard.beforeCall(second));
    expect(err?.reason).toBe("user_tpm");
    expect(err?.message).toMatch(/^You have used 600 tokens of your 1,000 tokens this minute\. You can send again in \d+ s\.$/);
    // The first call used only 150: reconciled, the second fits now.
    t.guard.afterCall(first, { deploymentId: "d", model: "m", inputTokens: 100, outputTokens: 50, cached: false });
    await vi.waitFor(async () => expect((await a.windows.peek("tokens", `${p.orgId}:${p.userId}`)).used).toBe(150));
    await t.guard.beforeCall(second);
    t.guard.afterCall(second, null); // failed: nothing used
    await vi.waitFor(async () => expect((await a.windows.peek("tokens", `${p.orgId}:${p.userId}`)).used).toBe(150));
    t.release();
  });

  it("a used-up token window refuses the next turn at admission", async () => {
    const a = engine({ userTpm: 500 }, { redis });
    const p = principal();
    await a.windows.add("tokens", `${p.orgId}:${p.userId}`, 500);
    expect((await refusal(a.admit(p)))?.reason).toBe("user_tpm");
  });
});

describe("two app processes' view: two instances on one Redis", () => {
  it("enforce one per-user RPM: with 3, the 4th turn is refused whichever instance gets it", async () => {
    const prefix = `${RUN}:shared-${randomUUID().slice(0, 6)}`;
    const [r1, r2] = [await redisClient(), await redisClient()];
    const a1 = engine({ userRpm: 3 }, { redis: r1 }, prefix);
    const a2 = engine({ userRpm: 3 }, { redis: r2 }, prefix);
    const p = principal();
    (await a1.admit(p)).release();
    (await a2.admit(p)).release();
    (await a1.admit(p)).release();
    const e2 = await refusal(a2.admit(p));
    const e1 = await refusal(a1.admit(p));
    expect([e1?.reason, e2?.reason]).toEqual(["user_rpm", "user_rpm"]);
  });

  it("share one concurrency cap, and a crashed instance's leases lapse", async () => {
    const prefix = `${RUN}:lease-${randomUUID().slice(0, 6)}`;
    const a1 = engine({ maxConcurrentTurns: 2 }, { redis: await redisClient(), leaseTtlMs: 900 }, prefix);
    const a2 = engine({ maxConcurrentTurns: 2 }, { redis: await redisClient(), leaseTtlMs: 900 }, prefix);
    const p = principal();
    const held = await a1.admit(p);
    const other = await a2.admit(p);
    expect((await refusal(a1.admit(p)))?.reason).toBe("concurrency");
    expect((await refusal(a2.admit(p)))?.reason).toBe("concurrency");
    // A running turn's lease is renewed by its heartbeat: still held past the TTL.
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await refusal(a2.admit(p)))?.reason).toBe("concurrency");
    // Instance 1 dies without releasing (its heartbeat stops): its lease lapses.
    a1.close();
    await vi.waitFor(async () => (await a2.admit(p)).release(), { timeout: 3_000, interval: 100 });
    other.release();
    void held;
  });
});

describe("an erased person's limiter state", () => {
  it("forgetPerson leaves no Redis key naming them (counters and slots), and their counts start over; the org's stay", async () => {
    const prefix = `${RUN}:erase-${randomUUID().slice(0, 6)}`;
    const redis = await redisClient();
    const a = engine({ userRpm: 5, userTpm: 1_000_000, orgRpm: 1_000 }, { redis }, prefix);
    const p = principal();
    const other = principal({ orgId: p.orgId });
    const held = await a.admit(p);
    (await a.admit(other)).release();
    const keysNaming = async (id: string) => (await redis.keys(`${prefix}*`)).filter((k) => k.includes(id));
    expect((await keysNaming(p.userId)).length).toBeGreaterThan(0);

    await a.forgetPerson(p.orgId, p.userId);
    expect(await keysNaming(p.userId)).toEqual([]);
    expect(await keysNaming(other.userId)).not.toEqual([]);
    expect((await a.windows.peek("requests", `${p.orgId}:${p.userId}`)).used).toBe(0);
    expect((await a.windows.peek("requests", p.orgId)).used).toBe(2);
    held.release();
  });

  it("in memory too", async () => {
    const a = engine({ userRpm: 5 }, { redis: null });
    const p = principal();
    (await a.admit(p)).release();
    await a.forgetPerson(p.orgId, p.userId);
    expect((await a.windows.peek("requests", `${p.orgId}:${p.userId}`)).used).toBe(0);
  });
});

describe("Redis stopped during the test", () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await startOwnRedis();
  });
  afterAll(async () => own?.dispose());

  it("turns are served under the insurance limiter with one warning; after a restart the limit is shared again", async () => {
    const warn = vi.spyOn(logger, "warn");
    const info = vi.spyOn(logger, "info");
    const prefix = `${RUN}:outage`;
    const a1 = engine({ userRpm: 3 }, { redis: await redisClient(own.url) }, prefix);
    const a2 = engine({ userRpm: 3 }, { redis: await redisClient(own.url) }, prefix);
    const p = principal();
    (await a1.admit(p)).release();
    (await a2.admit(p)).release();

    await own.stop();
    // Each instance alone now: its insurance limiter counts from zero, and it still limits.
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) (await a1.admit(p)).release();
    console.log(`3 admissions with Redis stopped: ${Math.round(performance.now() - t0)} ms`);
    expect((await refusal(a1.admit(p)))?.reason).toBe("user_rpm");
    const mine = (spy: typeof warn) => spy.mock.calls.filter((c) => String(c[1] ?? "").includes("rate limits and concurrency caps"));
    expect(mine(warn)).toHaveLength(1); // one for a1's whole outage, not one per request
    (await a2.admit(p)).release();
    expect(mine(warn)).toHaveLength(2); // and one for a2

    await own.start();
    await vi.waitFor(() => expect(mine(info)).toHaveLength(2), { timeout: 8_000, interval: 100 });
    // Shared again (Redis restarted empty): together the two instances admit 3, not 3 each.
    const q = principal();
    (await a1.admit(q)).release();
    (await a2.admit(q)).release();
    (await a1.admit(q)).release();
    expect((await refusal(a2.admit(q)))?.reason).toBe("user_rpm");
    expect((await refusal(a1.admit(q)))?.reason).toBe("user_rpm");
  });
});

describe("composeGuards", () => {
  it("asks each in order; one refusing releases what the earlier ones reserved; all reconcile", async () => {
    const log: string[] = [];
    const g = (name: string, refuse = false) => ({
      async beforeCall() {
        log.push(`${name}:before`);
        if (refuse) throw new AppError("rate_limited", name);
      },
      afterCall(_e: unknown, actual: unknown) {
        log.push(`${name}:after:${actual === null ? "null" : "used"}`);
      },
    });
    const e = { deploymentId: "d", model: "m", inputTokens: 1, outputTokens: 1 };
    await expect(composeGuards(g("a"), g("b", true), g("c")).beforeCall(e)).rejects.toThrow("b");
    expect(log).toEqual(["a:before", "b:before", "a:after:null"]);
    log.length = 0;
    const both = composeGuards(g("a"), undefined, g("c"));
    await both.beforeCall(e);
    both.afterCall(e, { deploymentId: "d", model: "m", inputTokens: 1, outputTokens: 1, cached: false });
    expect(log).toEqual(["a:before", "c:before", "a:after:used", "c:after:used"]);
  });
});
