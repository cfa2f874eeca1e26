import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { responseCache } from "./registry";
import { installSharedState, sharedRedis, uninstallSharedState } from "./shared-state";

afterEach(async () => {
  await uninstallSharedState();
});

describe("installSharedState", () => {
  it("without REDIS_URL changes nothing: in-process stores, no client", async () => {
    expect(await installSharedState(parseEnv({}))).toBe("memory");
    expect(await installSharedState(parseEnv({ REDIS_URL: "" }))).toBe("memory");
    expect(sharedRedis()).toBeNull();
    expect(responseCache().kind).toBe("memory");
  });

  it("with REDIS_URL installs the Redis breaker store and response cache on one client per process", async () => {
    const e = parseEnv({ REDIS_URL: process.env.ENCLAVE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379" });
    expect(await installSharedState(e)).toBe("redis");
    const client = sharedRedis();
    expect(client?.status).toBe("ready");
    expect(responseCache().kind).toBe("redis");
    await installSharedState(e);
    expect(sharedRedis()).toBe(client);
  });

  it("an unreachable Redis does not hold up start-up", async () => {
    const t0 = Date.now();
    expect(await installSharedState(parseEnv({ REDIS_URL: "redis://127.0.0.1:1" }))).toBe("redis");
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(responseCache().kind).toBe("redis");
  });
});
