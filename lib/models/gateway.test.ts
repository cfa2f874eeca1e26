import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateText, streamText } from "ai";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import { parseEnv } from "@/lib/config/env";
import type { GatewayEvent } from "./gateway";
import { getGateway, getLanguageModel, responseCache } from "./registry";

/** The gateway against two real HTTP model servers with scripted faults. */
let a: MockOpenAIServer;
let b: MockOpenAIServer;

beforeAll(async () => {
  [a, b] = await Promise.all([startMockOpenAI({ port: 0 }), startMockOpenAI({ port: 0 })]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});
beforeEach(() => {
  a.reset();
  b.reset();
});

type Dep = { id: string; url: string; priority?: number; weight?: number; maxConcurrency?: number; apiKeyEnv?: string; rpm?: number };
function config(deps: Dep[], vars: Record<string, string> = {}) {
  const list = deps.map((d) => ({
    id: d.id,
    provider: "openai-compatible",
    baseURL: d.url,
    model: `model-${d.id}`,
    tiers: ["small", "large"],
    priority: d.priority ?? 0,
    weight: d.weight ?? 1,
    ...(d.maxConcurrency ? { maxConcurrency: d.maxConcurrency } : {}),
    ...(d.apiKeyEnv ? { apiKeyEnv: d.apiKeyEnv } : {}),
    ...(d.rpm ? { rpm: d.rpm } : {}),
  }));
  return parseEnv({ MODEL_DEPLOYMENTS: JSON.stringify(list), MODEL_MAX_RETRIES: "2", MODEL_BREAKER_FAILURES: "3", MODEL_BREAKER_COOLDOWN_MS: "800", ...vars });
}

async function ask(e: ReturnType<typeof config>, prompt: string, opts: { userId?: string; temperature?: number; cache?: boolean } = {}) {
  const events: GatewayEvent[] = [];
  const { model } = await getLanguageModel(
    "large",
    { orgId: "org-1", userId: opts.userId ?? "user-1", deadline: Date.now() + 20_000, onEvent: (ev) => events.push(ev), cache: opts.cache },
    e,
  );
  const result = streamText({ model, prompt, maxRetries: 0, temperature: opts.temperature });
  const text = await result.text;
  return { text, events, answered: events.find((x) => x.type === "answered") };
}

const modelRequests = (m: MockOpenAIServer) => m.requests().filter((r) => r.path === "/v1/chat/completions");

describe("model gateway", () => {
  it("waits out a 429's Retry-After on the only deployment, then succeeds", async () => {
    const e = config([{ id: "a", url: a.url }]);
    a.enqueueFaults({ status: 429, retryAfter: 1 });
    const t0 = Date.now();
    const { text, events } = await ask(e, "hello there");
    expect(text).toMatch(/^Mock reply to: hello there/);
    const [first, second] = modelRequests(a);
    expect(modelRequests(a)).toHaveLength(2);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(events.filter((x) => x.type === "breaker").map((x) => (x as { state: string }).state)).toEqual(["open", "closed"]);
  });

  it("fails over at once on a 429 when another deployment serves the tier", async () => {
    const e = config([
      { id: "a", url: a.url, priority: 0 },
      { id: "b", url: b.url, priority: 1 },
    ]);
    a.enqueueFaults({ status: 429, retryAfter: 30 });
    const { text, events, answered } = await ask(e, "fail over please");
    expect(text).toMatch(/fail over please/);
    expect(answered).toMatchObject({ deploymentId: "b", fallback: true });
    expect(events.some((x) => x.type === "retry")).toBe(false);
    expect(events.find((x) => x.type === "fallback")).toMatchObject({ from: "a", to: "b" });
    expect(modelRequests(a)).toHaveLength(1);
  });

  it("retries two 500s and succeeds; the SDK makes no retries of its own (exactly 3 requests)", async () => {
    const e = config([{ id: "a", url: a.url }]);
    a.enqueueFaults({ status: 500, times: 2 });
    const { text, events } = await ask(e, "third time lucky");
    expect(text).toMatch(/third time lucky/);
    expect(modelRequests(a)).toHaveLength(3);
    expect(events.filter((x) => x.type === "attempt").map((x) => (x as { outcome: string }).outcome)).toEqual(["failure", "failure", "success"]);
    expect(events.filter((x) => x.type === "retry")).toHaveLength(2);
  });

  it("primary down: the fallback answers and is named", async () => {
    const e = config([
      { id: "a", url: a.url, priority: 0 },
      { id: "b", url: b.url, priority: 1 },
    ]);
    a.enqueueFaults({ status: 503, times: 10 });
    const { answered } = await ask(e, "anyone there?");
    expect(answered).toMatchObject({ deploymentId: "b", model: "model-b", fallback: true });
  });

  it("opens the breaker after N failures, sends nothing to the dead deployment until the half-open probe, and closes after recovery", async () => {
    const e = config([
      { id: "a", url: a.url, priority: 0 },
      { id: "b", url: b.url, priority: 1 },
    ], { MODEL_MAX_RETRIES: "0" });
    a.enqueueFaults({ status: 500, times: 3 });
    for (let i = 0; i < 3; i++) await ask(e, `warm ${i}`);
    expect(modelRequests(a)).toHaveLength(3);
    const gateway = await getGateway(e);
    expect((await gateway.runtimes[0]!.breaker.view()).state).toBe("open");
    // Open: the next turns go straight to b.
    for (let i = 0; i < 3; i++) expect((await ask(e, `while open ${i}`)).answered?.deploymentId).toBe("b");
    expect(modelRequests(a)).toHaveLength(3);
    // After the cooldown one probe goes to a; it succeeds and the breaker closes.
    await new Promise((r) => setTimeout(r, 900));
    const probe = await ask(e, "probe");
    expect(probe.answered?.deploymentId).toBe("a");
    expect(modelRequests(a)).toHaveLength(4);
    expect((await gateway.runtimes[0]!.breaker.view()).state).toBe("closed");
  });

  it("a first-token timeout is retried", async () => {
    const e = config([{ id: "a", url: a.url }], { MODEL_FIRST_TOKEN_TIMEOUT_MS: "300" });
    a.enqueueFaults({ delayFirst: 2000 });
    const { text, events } = await ask(e, "slow start");
    expect(text).toMatch(/slow start/);
    expect(events.find((x) => x.type === "attempt")).toMatchObject({ outcome: "failure", error: "first_token_timeout" });
    expect(modelRequests(a)).toHaveLength(2);
    await expect.poll(() => a.activeRequests()).toBe(0);
  });

  it("a misconfigured deployment (its key variable unset) starts with its breaker open", async () => {
    const e = config([
      { id: "a", url: a.url, priority: 0, apiKeyEnv: "ENCLAVE_TEST_UNSET_KEY" },
      { id: "b", url: b.url, priority: 1 },
    ]);
    const { answered } = await ask(e, "who answers?");
    expect(answered?.deploymentId).toBe("b");
    expect(modelRequests(a)).toHaveLength(0);
    const view = await (await getGateway(e)).runtimes[0]!.breaker.view();
    expect(view).toMatchObject({ state: "open", reason: expect.stringMatching(/ENCLAVE_TEST_UNSET_KEY/) });
  });

  it("every deployment down: a clear error, not a hang", async () => {
    const e = config([{ id: "a", url: a.url }], { MODEL_MAX_RETRIES: "1" });
    a.enqueueFaults({ status: 500, times: 10 });
    await expect(ask(e, "nobody home")).rejects.toThrow();
  });

  it("is fair: with maxConcurrency 2, one user's 50 queued calls do not starve another user's one", async () => {
    const e = config([{ id: "a", url: a.url, maxConcurrency: 2 }], { MODEL_QUEUE_MAX_WAIT_MS: "60000" });
    const started = Date.now();
    const heavy = Array.from({ length: 50 }, (_, i) => ask(e, `[[mock:delay-first=40]] heavy ${i}`, { userId: "user-a" }));
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    const light = await ask(e, "[[mock:delay-first=40]] light", { userId: "user-b" });
    const lightMs = Date.now() - t0;
    const done = await Promise.all(heavy);
    const heavyMs = Date.now() - started;
    const waited = light.events.find((x) => x.type === "queue") as { waitedMs: number } | undefined;
    // B is served after at most one slot frees, not after A's 48 waiting calls.
    const served = modelRequests(a).map((r) => (JSON.stringify(r.body).includes("light") ? "B" : "A"));
    expect(served.indexOf("B")).toBeLessThanOrEqual(3);
    console.log(`fairness: B answered in ${lightMs} ms (queued ${waited?.waitedMs ?? 0} ms, served as request #${served.indexOf("B") + 1}); A's 50 took ${heavyMs} ms`);
    expect(done).toHaveLength(50);
  });

  it("caches per user: same user and prompt hits, another user misses, a purge removes only that user's entries", async () => {
    const e = config([{ id: "a", url: a.url }], { MODEL_CACHE_TIERS: "large" });
    const first = await ask(e, "cache me", { temperature: 0 });
    const again = await ask(e, "cache me", { temperature: 0 });
    expect(again.text).toBe(first.text);
    expect(again.events.some((x) => x.type === "cache_hit")).toBe(true);
    expect(modelRequests(a)).toHaveLength(1);
    const other = await ask(e, "cache me", { temperature: 0, userId: "user-2" });
    expect(other.events.some((x) => x.type === "cache_hit")).toBe(false);
    expect(modelRequests(a)).toHaveLength(2);
    // Not cached: a call with a temperature other than 0.
    await ask(e, "cache me", { temperature: 0.7 });
    expect(modelRequests(a)).toHaveLength(3);

    expect(await responseCache().purgeUser("org-1", "user-1")).toBeGreaterThan(0);
    expect((await ask(e, "cache me", { temperature: 0 })).events.some((x) => x.type === "cache_hit")).toBe(false);
    expect((await ask(e, "cache me", { temperature: 0, userId: "user-2" })).events.some((x) => x.type === "cache_hit")).toBe(true);
  });

  it("non-streaming calls go through the same gateway", async () => {
    const e = config([
      { id: "a", url: a.url, priority: 0 },
      { id: "b", url: b.url, priority: 1 },
    ]);
    a.enqueueFaults({ status: 503 });
    const events: GatewayEvent[] = [];
    const { model } = await getLanguageModel("small", { orgId: "o", userId: "u", deadline: Date.now() + 10_000, onEvent: (x) => events.push(x) }, e);
    const { text } = await generateText({ model, prompt: "plain call", maxRetries: 0 });
    expect(text).toMatch(/plain call/);
    expect(events.filter((x) => x.type === "attempt")).toHaveLength(2);
    // What a non-streamed call used is reported like a streamed one's (metering reads it).
    const ok = events.find((x) => x.type === "attempt" && x.outcome === "success") as Extract<GatewayEvent, { type: "attempt" }>;
    expect(ok.inputTokens).toBeGreaterThan(0);
    expect(ok.outputTokens).toBeGreaterThan(0);
    expect(ok.finishReason).toBe("stop");
  });

  it("a caller that left while its call waited for a slot sends nothing upstream", async () => {
    const e = config([{ id: "a", url: a.url, maxConcurrency: 1 }]);
    const { model } = await getLanguageModel("small", { orgId: "o", userId: "u", deadline: Date.now() + 10_000 }, e);
    const first = generateText({ model, prompt: "hold the slot [[mock:delay-first=300]]", maxRetries: 0 });
    const ac = new AbortController();
    const second = generateText({ model, prompt: "never sent", maxRetries: 0, abortSignal: ac.signal });
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await expect(second).rejects.toThrow();
    await first;
    await new Promise((r) => setTimeout(r, 50));
    expect(modelRequests(a).map((r) => JSON.stringify(r.body))).not.toContainEqual(expect.stringContaining("never sent"));
  });
  it("honours a deployment's rpm: past it the next priority answers; with none, a clear error at once", async () => {
    const e = config([
      { id: "a", url: a.url, priority: 0, rpm: 2 },
      { id: "b", url: b.url, priority: 1 },
    ]);
    const who = [];
    for (let i = 0; i < 3; i++) who.push((await ask(e, `rpm ${i}`)).answered?.deploymentId);
    expect(who).toEqual(["a", "a", "b"]);
    const only = config([{ id: "a", url: a.url, rpm: 1 }]);
    await ask(only, "one");
    const { model } = await getLanguageModel("large", { orgId: "o", userId: "u", deadline: Date.now() + 10_000 }, only);
    await expect(generateText({ model, prompt: "two", maxRetries: 0 })).rejects.toThrow(/configured rate limit; it will take requests again in about \d+ s/);
  });
});
