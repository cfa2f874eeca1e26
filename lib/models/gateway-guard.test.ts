import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateText, streamText } from "ai";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import { parseEnv } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { DEFAULT_OUTPUT_RESERVE, estimateCall, type CallGuard, type CallGuardActual, type CallGuardEstimate, type GatewayEvent } from "./gateway";
import { getLanguageModel } from "./registry";

/**
 * GatewayCall.guard: asked before every attempt with an estimate, told after it what was really
 * used (null on failure); a refusal stops the call as it is: no retry, no failover, no breaker.
 */
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

function config(urls: string[]) {
  const list = urls.map((url, i) => ({ id: `d${i}`, provider: "openai-compatible", baseURL: url, model: `model-d${i}`, tiers: ["small", "large"], priority: i }));
  return parseEnv({ MODEL_DEPLOYMENTS: JSON.stringify(list), MODEL_MAX_RETRIES: "1", MODEL_BREAKER_FAILURES: "1", MODEL_BREAKER_COOLDOWN_MS: "60000" });
}

class RecordingGuard implements CallGuard {
  before: CallGuardEstimate[] = [];
  after: Array<{ estimate: CallGuardEstimate; actual: CallGuardActual | null }> = [];
  refuse = false;
  async beforeCall(estimate: CallGuardEstimate) {
    this.before.push(estimate);
    if (this.refuse) throw new AppError("rate_limited", "token limit", { reason: "user_tpm", retryAfterSeconds: 30 });
  }
  afterCall(estimate: CallGuardEstimate, actual: CallGuardActual | null) {
    this.after.push({ estimate, actual });
  }
}

async function model(e: ReturnType<typeof config>, guard: CallGuard, events: GatewayEvent[] = [], userId = "user-1") {
  return (await getLanguageModel("large", { orgId: "org-g", userId, deadline: Date.now() + 20_000, guard, onEvent: (ev) => events.push(ev) }, e)).model;
}

const chat = (m: MockOpenAIServer) => m.requests().filter((r) => r.path === "/v1/chat/completions");

describe("gateway call guard", () => {
  it("estimates the prompt at ~4 characters a token and reserves maxOutputTokens or the default", () => {
    const prompt = [
      { role: "system" as const, content: "x".repeat(400) },
      { role: "user" as const, content: [{ type: "text" as const, text: "y".repeat(800) }] },
    ];
    expect(estimateCall({ id: "d", model: "m" }, { prompt })).toEqual({ deploymentId: "d", model: "m", inputTokens: 300, outputTokens: DEFAULT_OUTPUT_RESERVE });
    expect(estimateCall({ id: "d", model: "m" }, { prompt, maxOutputTokens: 50 }).outputTokens).toBe(50);
  });

  it("streaming: asked once before the call, told the real usage after it", async () => {
    const g = new RecordingGuard();
    const text = await streamText({ model: await model(config([a.url]), g), prompt: "guarded hello", maxOutputTokens: 200, maxRetries: 0 }).text;
    expect(text).toMatch(/guarded hello/);
    expect(g.before).toHaveLength(1);
    expect(g.before[0]).toMatchObject({ deploymentId: "d0", model: "model-d0", outputTokens: 200 });
    expect(g.before[0]!.inputTokens).toBeGreaterThan(0);
    expect(g.after).toHaveLength(1);
    expect(g.after[0]!.actual).toMatchObject({ deploymentId: "d0", cached: false });
    expect(g.after[0]!.actual!.inputTokens).toBeGreaterThan(0);
    expect(g.after[0]!.actual!.outputTokens).toBeGreaterThan(0);
  });

  it("generate: the real usage comes from the result", async () => {
    const g = new RecordingGuard();
    await generateText({ model: await model(config([a.url]), g), prompt: "generate this", maxRetries: 0 });
    expect(g.after).toHaveLength(1);
    expect(g.after[0]!.actual!.outputTokens).toBeGreaterThan(0);
  });

  it("a refusal stops the call: nothing sent, no retry, no failover, the breaker stays closed", async () => {
    const e = config([a.url, b.url]);
    const g = new RecordingGuard();
    g.refuse = true;
    const events: GatewayEvent[] = [];
    const err = await generateText({ model: await model(e, g, events), prompt: "refused", maxRetries: 0 }).catch((x: unknown) => x);
    const cause = err instanceof AppError ? err : (err as { cause?: unknown; lastError?: unknown }).lastError ?? (err as { cause?: unknown }).cause;
    expect(cause).toBeInstanceOf(AppError);
    expect((cause as AppError).reason).toBe("user_tpm");
    expect(g.before).toHaveLength(1); // not asked again for the other deployment
    expect(g.after).toHaveLength(0); // nothing reserved, nothing to reconcile
    expect(chat(a)).toHaveLength(0);
    expect(chat(b)).toHaveLength(0);
    expect(events.filter((x) => x.type === "retry" || x.type === "fallback" || x.type === "breaker" || x.type === "attempt")).toEqual([]);
    // The deployment is as healthy as before: the next call (another user, no refusal) goes to d0.
    const ok = new RecordingGuard();
    const later: GatewayEvent[] = [];
    await generateText({ model: await model(e, ok, later, "user-2"), prompt: "after", maxRetries: 0 });
    expect(later.find((x) => x.type === "answered")).toMatchObject({ deploymentId: "d0", fallback: false });
  });

  it("failed attempts are reconciled with null, each once; the one that answers with its usage", async () => {
    const e = config([a.url, b.url]);
    a.enqueueFaults({ status: 500, times: 5 });
    const g = new RecordingGuard();
    const text = await streamText({ model: await model(e, g), prompt: "fail then fall back", maxRetries: 0 }).text;
    expect(text).toMatch(/fail then fall back/);
    expect(g.before.length).toBe(g.after.length); // every reservation settled
    expect(g.after.slice(0, -1).every((x) => x.actual === null)).toBe(true);
    expect(g.after.at(-1)!.actual).toMatchObject({ deploymentId: "d1" });
    console.log(`attempts: ${g.before.map((x) => x.deploymentId).join(", ")}`);
  });
});
