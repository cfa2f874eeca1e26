import { Redis } from "ioredis";
import { env, type Env } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";
import { RedisBreakerStore } from "./redis-breaker-store";
import { RedisResponseCache } from "./redis-response-cache";
import { installResponseCache, installSharedBreakerStore } from "./registry";
import { MemoryResponseCache } from "./response-cache";

/**
 * With REDIS_URL, the gateway's breaker state, probe lock and response cache live on Redis, so
 * every instance sees one picture (ARCHITECTURE rule 5: an adapter chosen at start-up). Without
 * it nothing changes: in-process stores.
 *
 * A dead Redis never stalls a chat turn: no offline queue, a short connect and command timeout,
 * one retry per request, so a command fails in at most ~200 ms (at once while disconnected) and
 * the breaker uses the instance's own state, the cache misses. The client keeps reconnecting in
 * the background and says so once when Redis goes away and once when it is back.
 */
export interface RedisClientOptions {
  /** Per command; past it the command rejects (the callers fall back). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts. */
  maxReconnectDelayMs?: number;
}

export function createRedisClient(url: string, opts: RedisClientOptions = {}): Redis {
  const maxDelay = opts.maxReconnectDelayMs ?? 2_000;
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 1_000,
    commandTimeout: opts.commandTimeoutMs ?? 200,
    // Never give up: 100 ms, 200 ms, … then every maxDelay.
    retryStrategy: (times) => Math.min(times * 100, maxDelay),
    connectionName: "enclave",
  });
  const where = describe(url);
  let up: boolean | null = null;
  const down = (err?: Error) => {
    if (up === false) return;
    up = false;
    logger.warn(
      { component: "redis", redis: where, err: err?.message },
      "Redis unreachable: breaker state and the response cache are this instance's own until it is back (reconnecting)",
    );
  };
  client.on("ready", () => {
    if (up === false) logger.info({ component: "redis", redis: where }, "Redis reachable again: breaker state and the response cache are shared again");
    up = true;
  });
  // An 'error' listener is required (ioredis prints unhandled ones); each reconnection attempt
  // emits one, hence the state flag.
  client.on("error", (err: Error) => down(err));
  client.on("close", () => {
    if (up && client.status !== "end") down();
  });
  return client;
}

/** host:port (and db) for logs; never the password. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}${u.pathname && u.pathname !== "/" ? u.pathname : ""}`;
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

interface SharedState {
  url: string;
  client: Redis;
}

// One client per process: Next bundles modules into several graphs (instrumentation, routes),
// each with its own module state, but they share globalThis.
const holder = globalThis as typeof globalThis & { __enclaveRedis?: SharedState };

/** The URL of the process's shared Redis (REDIS_URL), or null: for adapters that need a client of their own. */
export function sharedRedisUrl(): string | null {
  return holder.__enclaveRedis?.url ?? null;
}

/** The process's Redis client (REDIS_URL), or null without one. For other shared-state adapters. */
export function sharedRedis(): Redis | null {
  return holder.__enclaveRedis?.client ?? null;
}

/**
 * At start-up: with REDIS_URL, connect (waiting at most the connect timeout: an unreachable Redis
 * delays nothing further, the client keeps trying) and install the Redis breaker store and
 * response cache. Idempotent.
 */
export async function installSharedState(e: Env = env()): Promise<"redis" | "memory"> {
  const url = e.REDIS_URL?.trim();
  if (!url) return "memory";
  let state = holder.__enclaveRedis;
  if (!state || state.url !== url) {
    if (state) state.client.disconnect();
    state = holder.__enclaveRedis = { url, client: createRedisClient(url) };
    // Errors are reported by the client's listeners, once.
    await state.client.connect().catch(() => {});
  }
  installSharedBreakerStore(new RedisBreakerStore(state.client));
  installResponseCache(new RedisResponseCache(state.client));
  return "redis";
}

/** Back to in-process stores, closing the client (tests, shutdown). */
export async function uninstallSharedState(): Promise<void> {
  const state = holder.__enclaveRedis;
  holder.__enclaveRedis = undefined;
  installSharedBreakerStore(null);
  installResponseCache(new MemoryResponseCache());
  if (state) await state.client.quit().catch(() => state.client.disconnect());
}
