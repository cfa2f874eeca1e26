import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./__fixtures__/redis-server";
import { HALF_OPEN_GRACE_MS, RedisBreakerStore } from "./redis-breaker-store";
import { RedisResponseCache } from "./redis-response-cache";
import { cacheKey, type CachedResponse } from "./response-cache";
import { createRedisClient } from "./shared-state";

/**
 * The Redis stores against the machine's Redis (127.0.0.1:6379). Every key is under a prefix of
 * this run's own, removed afterwards; nothing else on that server is touched.
 */
const URL = process.env.ENCLAVE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `enclave-test:${randomUUID()}:`;
let r1: Redis;
let r2: Redis;

beforeAll(async () => {
  r1 = createRedisClient(URL);
  r2 = createRedisClient(URL);
  await Promise.all([r1.connect(), r2.connect()]);
});
afterAll(async () => {
  const keys = await scan(`${prefix}*`); // only this run's keys
  if (keys.length) await r1.del(...keys);
  await Promise.all([r1?.quit(), r2?.quit()]);
});

async function scan(match: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await r1.scan(cursor, "MATCH", match, "COUNT", 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== "0");
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("RedisBreakerStore", () => {
  it("opens, reads, keeps the state readable past openUntil (half-open) and closes", async () => {
    const s = new RedisBreakerStore(r1, prefix);
    const other = new RedisBreakerStore(r2, prefix); // another instance
    expect(await s.read("dep-a")).toBeNull();
    const openUntil = Date.now() + 150;
    await s.open("dep-a", { openUntil, reason: "HTTP 500 x3", rateLimited: false });
    expect(await other.read("dep-a")).toEqual({ openUntil, reason: "HTTP 500 x3", rateLimited: false });
    const pttl = await r1.pttl(`${prefix}breaker:dep-a`);
    expect(pttl).toBeGreaterThan(HALF_OPEN_GRACE_MS);
    expect(pttl).toBeLessThanOrEqual(150 + HALF_OPEN_GRACE_MS);
    await sleep(200);
    // Past openUntil: still there, so the breaker is half-open rather than closed.
    expect(await other.read("dep-a")).toMatchObject({ openUntil });
    await other.close("dep-a");
    expect(await s.read("dep-a")).toBeNull();
    expect(await r1.exists(`${prefix}breaker:dep-a`)).toBe(0);
  });

  it("a value it did not write reads as closed", async () => {
    const s = new RedisBreakerStore(r1, prefix);
    await r1.set(`${prefix}breaker:junk`, "not json", "PX", 10_000);
    expect(await s.read("junk")).toBeNull();
    await r1.set(`${prefix}breaker:junk`, JSON.stringify({ openUntil: "soon" }), "PX", 10_000);
    expect(await s.read("junk")).toBeNull();
  });

  it("the probe lock is exclusive across clients, expires after its TTL and is released only by its holder", async () => {
    const a = new RedisBreakerStore(r1, prefix);
    const b = new RedisBreakerStore(r2, prefix);
    // 20 contenders on two connections at once: exactly one wins.
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).acquireProbe("dep-p", 5_000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const holder = wins.findIndex(Boolean) % 2 ? a : b;
    const loser = holder === a ? b : a;
    // The loser's release does not free the holder's lock.
    await loser.releaseProbe("dep-p");
    expect(await loser.acquireProbe("dep-p", 5_000)).toBe(false);
    await holder.releaseProbe("dep-p");
    expect(await loser.acquireProbe("dep-p", 150)).toBe(true);
    expect(await holder.acquireProbe("dep-p", 150)).toBe(false);
    const pttl = await r1.pttl(`${prefix}breaker-probe:dep-p`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(150);
    await sleep(250);
    expect(await holder.acquireProbe("dep-p", 150)).toBe(true);
    // Closing the breaker drops the lock with the state.
    await holder.open("dep-p", { openUntil: Date.now(), reason: "x" });
    await loser.close("dep-p");
    expect(await r1.exists(`${prefix}breaker-probe:dep-p`, `${prefix}breaker:dep-p`)).toBe(0);
  });

  it("rejects fast when Redis is unreachable (the breaker then uses local state)", async () => {
    const dead = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    await dead.connect().catch(() => {});
    const s = new RedisBreakerStore(dead, prefix);
    const t0 = Date.now();
    await expect(s.read("x")).rejects.toThrow();
    await expect(s.acquireProbe("x", 1000)).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(300);
    dead.disconnect();
  });
});

describe("RedisResponseCache", () => {
  const reply = (text: string): CachedResponse => ({
    parts: [
      { type: "response-metadata", id: "r1", timestamp: new Date("2026-01-02T03:04:05.678Z"), modelId: "m" },
      { type: "text-start", id: "0" },
      { type: "text-delta", id: "0", delta: text },
      { type: "text-end", id: "0" },
      { type: "file", mediaType: "application/octet-stream", data: { type: "data", data: new Uint8Array([0, 1, 2, 255]) } },
      { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } } },
    ],
  });

  it("stores under the user's key with a PX expiry and gives back the same parts (dates and bytes too)", async () => {
    const c = new RedisResponseCache(r1, prefix);
    const k = cacheKey("org-1", "user-1", "model-a", { prompt: "hi" });
    await c.set(k, reply("hello"), 60_000);
    const raw = `${prefix}cache:org-1:user-1:${k.digest}`;
    expect(await r1.exists(raw)).toBe(1);
    const pttl = await r1.pttl(raw);
    expect(pttl).toBeGreaterThan(59_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    const got = await new RedisResponseCache(r2, prefix).get(k);
    expect(got).toEqual(reply("hello"));
    expect((got!.parts[0] as { timestamp: Date }).timestamp).toBeInstanceOf(Date);
    expect((got!.parts[4] as unknown as { data: { data: Uint8Array } }).data.data).toBeInstanceOf(Uint8Array);
    // Another user with the same prompt misses.
    expect(await c.get(cacheKey("org-1", "user-2", "model-a", { prompt: "hi" }))).toBeNull();
  });

  it("expires after its TTL", async () => {
    const c = new RedisResponseCache(r1, prefix);
    const k = cacheKey("org-1", "user-ttl", "m", 1);
    await c.set(k, reply("short"), 120);
    expect(await c.get(k)).not.toBeNull();
    await sleep(200);
    expect(await c.get(k)).toBeNull();
  });

  it("purgeUser removes exactly that user's entries (SCAN in batches), not another user's nor a look-alike id's", async () => {
    const c = new RedisResponseCache(r1, prefix);
    const mine = Array.from({ length: 1_203 }, (_, i) => cacheKey("org-p", "user-1", "m", i));
    const others = [
      cacheKey("org-p", "user-2", "m", 1),
      cacheKey("org-p", "user-10", "m", 1),
      cacheKey("org-p", "user-1:x", "m", 1),
      cacheKey("org-p", "user*", "m", 1),
      cacheKey("org-q", "user-1", "m", 1),
      cacheKey("org-p:user-1", "y", "m", 1),
    ];
    const pipe = r1.pipeline();
    for (const k of mine) pipe.set(`${prefix}cache:org-p:user-1:${k.digest}`, JSON.stringify(reply("x")), "PX", 60_000);
    await pipe.exec();
    for (const k of others) await c.set(k, reply("keep"), 60_000);

    expect(await c.purgeUser("org-p", "user-1")).toBe(mine.length);
    expect(await scan(`${prefix}cache:org-p:user-1:*`)).toEqual([]);
    for (const k of others) expect(await c.get(k)).not.toBeNull();
    // A glob character in an id matches only itself.
    expect(await c.purgeUser("org-p", "user*")).toBe(1);
    expect(await c.get(others[0]!)).not.toBeNull();
    expect(await c.purgeUser("org-p", "nobody")).toBe(0);
  });

  it("a Redis that cannot answer is a miss and a no-op, quickly; a purge says it failed", async () => {
    const dead = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    await dead.connect().catch(() => {});
    const c = new RedisResponseCache(dead, prefix);
    const k = cacheKey("o", "u", "m", 1);
    const t0 = Date.now();
    expect(await c.get(k)).toBeNull();
    await expect(c.set(k, reply("x"), 1000)).resolves.toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(300);
    await expect(c.purgeUser("o", "u")).rejects.toThrow();
    dead.disconnect();
  });
});
