import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { getGateway } from "./registry";
import { describeGateway, displayURL } from "./status";

const SECRET = "sk-status-test-0123456789-very-secret";

function gatewayEnv() {
  return parseEnv({
    OFFLINE_MODEL_DELAY_MS: "0",
    MODEL_DEPLOYMENTS: JSON.stringify([
      {
        id: "primary",
        provider: "openai-compatible",
        baseURL: "https://user:hunter2@llm.internal:8443/v1?api_key=leak#frag",
        apiKeyEnv: "STATUS_TEST_KEY",
        model: "big-model",
        tiers: ["large", "small"],
        priority: 0,
        weight: 3,
        maxConcurrency: 4,
        rpm: 600,
      },
      { id: "backup", provider: "openai", apiKeyEnv: "STATUS_TEST_MISSING_KEY", model: "gpt-5", tiers: ["large"], priority: 1 },
    ]),
  });
}

afterEach(() => {
  delete process.env.STATUS_TEST_KEY;
});

describe("describeGateway", () => {
  it("lists each deployment with its configuration, breaker, load and recent health, and no key", async () => {
    process.env.STATUS_TEST_KEY = SECRET;
    const e = gatewayEnv();
    const gateway = await getGateway(e);
    const primary = gateway.runtimes.find((r) => r.deployment.id === "primary")!;
    const now = Date.now();
    primary.stats.record(200, true, now - 60 * 60_000); // before the 15 minutes
    primary.stats.record(100, true, now - 1000);
    primary.stats.record(300, false, now - 500);

    const status = await describeGateway(e, now);
    expect(status).toMatchObject({ routing: "weighted", windowMinutes: 15 });
    expect(status.deployments.map((d) => d.id)).toEqual(["primary", "backup"]);
    const [p, b] = status.deployments;
    expect(p).toMatchObject({
      label: "primary",
      provider: "openai-compatible",
      model: "big-model",
      baseURL: "https://llm.internal:8443/v1",
      apiKeyEnv: "STATUS_TEST_KEY",
      tiers: ["large", "small"],
      priority: 0,
      weight: 3,
      maxConcurrency: 4,
      rpm: 600,
      tpm: null,
      misconfigured: null,
      breaker: { state: "closed", openUntil: null, reason: null },
      inFlight: 0,
      queue: { inFlight: 0, depth: 0, limit: 4 },
      stats: { calls: 2, errorRate: 0.5, p95Ms: 300 },
    });
    // A deployment whose key variable is unset is held open from the start, and says why.
    expect(b).toMatchObject({ queue: null, misconfigured: expect.stringContaining("STATUS_TEST_MISSING_KEY"), stats: { calls: 0, errorRate: 0, p95Ms: null } });
    expect(b!.breaker.state).toBe("open");
    expect(b!.breaker.reason).toMatch(/^misconfigured: /);
    expect(Date.parse(b!.breaker.openUntil!)).toBeGreaterThan(now);

    const text = JSON.stringify(status);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("api_key=leak");
    expect(text).not.toMatch(/apiKey"/);
  });

  it("shows a breaker that a failure opened, with its reason and until when", async () => {
    process.env.STATUS_TEST_KEY = SECRET;
    const e = gatewayEnv();
    const gateway = await getGateway(e);
    const primary = gateway.runtimes.find((r) => r.deployment.id === "primary")!;
    await primary.breaker.failure(
      { kind: "rate_limited", status: 429, retrySame: true, failover: true, openNow: true, retryAfterMs: 20_000, message: "The model provider is rate-limiting requests (429)." },
      false,
    );
    const now = Date.now();
    const p = (await describeGateway(e, now)).deployments.find((d) => d.id === "primary")!;
    expect(p.breaker).toMatchObject({ state: "open", reason: "The model provider is rate-limiting requests (429)." });
    expect(Date.parse(p.breaker.openUntil!) - now).toBeGreaterThan(15_000);
  });
});

describe("displayURL", () => {
  it("keeps scheme, host and path only", () => {
    expect(displayURL("http://localhost:11434/v1")).toBe("http://localhost:11434/v1");
    expect(displayURL("https://k:s@api.example.com/?token=x")).toBe("https://api.example.com");
    expect(displayURL("not a url")).toBe("(not a valid URL)");
  });
});
