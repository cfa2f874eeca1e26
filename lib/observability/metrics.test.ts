import { beforeEach, describe, expect, it } from "vitest";
import type { Metric } from "prom-client";
import { turnEmitter, type TurnEvent } from "@/lib/observability/turn-events";
import type { Principal } from "@/lib/principal";
import {
  activeStreams,
  chatStepDuration,
  chatTtft,
  chatTurns,
  modelCalls,
  queueDepth,
  registry,
  routeTemplate,
  tokensTotal,
} from "./metrics";
import {
  activeTurnCount,
  installTurnMetrics,
  resetTurnMetricsForTests,
  turnMetricsSink,
} from "./turn-metrics";

type Labels = Record<string, string>;

/** The value of one sample of a metric (metricName picks _count/_sum/_bucket for histograms). */
async function sample(metric: Metric, labels: Labels = {}, metricName?: string): Promise<number | undefined> {
  const { name, values } = await metric.get();
  const want = metricName ?? name;
  const hit = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === want &&
      Object.entries(labels).every(([k, x]) => String((v.labels as Labels)[k]) === x),
  );
  return hit?.value;
}

function ev(step: TurnEvent["step"], fields: Partial<TurnEvent> = {}): TurnEvent {
  return {
    step,
    requestId: "req-1",
    orgId: "org-1",
    userId: "user-1",
    sessionId: "s-1",
    conversationId: "conv-1",
    at: Date.now(),
    outcome: "success",
    ...fields,
  };
}

beforeEach(() => {
  for (const m of [chatTtft, chatStepDuration, modelCalls, tokensTotal, chatTurns]) m.reset();
  resetTurnMetricsForTests();
});

describe("turn-metrics sink", () => {
  it("turns a sequence of chat-turn steps into counters, histograms and the active gauge", async () => {
    const openai = { provider: "openai", model: "gpt-5" };
    // Turn A: received, model call (tool-calls), tool, model call, first token, completed.
    turnMetricsSink(ev("request_received", { data: { bytes: 12 } }));
    expect(await sample(activeStreams)).toBe(1);
    turnMetricsSink(
      ev("model_call", {
        latencyMs: 800,
        data: { ...openai, attempt: 1, inputTokens: 100, outputTokens: 20 },
      }),
    );
    turnMetricsSink(ev("tool_call", { latencyMs: 5, data: { tool: "calculator" } }));
    turnMetricsSink(
      ev("model_call", {
        latencyMs: 300,
        data: { ...openai, attempt: 1, inputTokens: 150, outputTokens: 40 },
      }),
    );
    turnMetricsSink(ev("first_token", { latencyMs: 1200, data: openai }));
    // Turn B (another org, concurrently): received, failed model call (no tokens), failed.
    const b = { requestId: "req-2", conversationId: "conv-2", orgId: "org-2" };
    turnMetricsSink(ev("request_received", b));
    expect(await sample(activeStreams)).toBe(2);
    turnMetricsSink(
      ev("model_call", {
        ...b,
        latencyMs: 50,
        outcome: "failure",
        data: { ...openai, attempt: 1, error: "provider_error" },
      }),
    );
    turnMetricsSink(ev("response_failed", { ...b, latencyMs: 60, outcome: "failure" }));
    turnMetricsSink(ev("response_completed", { latencyMs: 2500, data: { chars: 10 } }));
    // Turn C: the caller left.
    const c = { requestId: "req-3", conversationId: "conv-3" };
    turnMetricsSink(ev("request_received", c));
    turnMetricsSink(ev("response_interrupted", { ...c, latencyMs: 100, outcome: "failure" }));

    expect(await sample(activeStreams)).toBe(0);
    expect(await sample(chatTurns, { outcome: "completed" })).toBe(1);
    expect(await sample(chatTurns, { outcome: "failed" })).toBe(1);
    expect(await sample(chatTurns, { outcome: "interrupted" })).toBe(1);

    expect(await sample(modelCalls, { ...openai, outcome: "success" })).toBe(2);
    expect(await sample(modelCalls, { ...openai, outcome: "failure" })).toBe(1);
    expect(await sample(tokensTotal, { org: "org-1", direction: "input" })).toBe(250);
    expect(await sample(tokensTotal, { org: "org-1", direction: "output" })).toBe(60);
    expect(await sample(tokensTotal, { org: "org-2", direction: "input" })).toBeUndefined();

    expect(await sample(chatTtft, openai, "enclave_chat_ttft_seconds_count")).toBe(1);
    expect(await sample(chatTtft, openai, "enclave_chat_ttft_seconds_sum")).toBeCloseTo(1.2);
    expect(await sample(chatTtft, { ...openai, le: "1" }, "enclave_chat_ttft_seconds_bucket")).toBe(0);
    expect(await sample(chatTtft, { ...openai, le: "2" }, "enclave_chat_ttft_seconds_bucket")).toBe(1);

    const steps = "enclave_chat_step_duration_seconds";
    expect(await sample(chatStepDuration, { step: "model_call", outcome: "success" }, `${steps}_count`)).toBe(
      2,
    );
    expect(
      await sample(chatStepDuration, { step: "model_call", outcome: "success" }, `${steps}_sum`),
    ).toBeCloseTo(1.1);
    expect(await sample(chatStepDuration, { step: "model_call", outcome: "failure" }, `${steps}_count`)).toBe(
      1,
    );
    expect(await sample(chatStepDuration, { step: "tool_call", outcome: "success" }, `${steps}_count`)).toBe(
      1,
    );
    expect(
      await sample(chatStepDuration, { step: "response_completed", outcome: "success" }, `${steps}_sum`),
    ).toBeCloseTo(2.5);
    // request_received has no duration.
    expect(await sample(chatStepDuration, { step: "request_received" }, `${steps}_count`)).toBeUndefined();
  });

  it("odd data never becomes a label value or a negative count", async () => {
    turnMetricsSink(
      ev("model_call", { data: { provider: 42, model: "", inputTokens: -5, outputTokens: Number.NaN } }),
    );
    turnMetricsSink(ev("first_token", { latencyMs: -1, data: {} }));
    turnMetricsSink(ev("response_completed", {})); // never received: the gauge does not go below zero
    expect(await sample(modelCalls, { provider: "unknown", model: "unknown", outcome: "success" })).toBe(1);
    expect(await sample(tokensTotal, {})).toBeUndefined();
    expect(await sample(chatTtft, {}, "enclave_chat_ttft_seconds_count")).toBeUndefined();
    expect(await sample(activeStreams)).toBe(0);
  });

  it("a turn that never reports its end stops counting as active after a while", async () => {
    turnMetricsSink(ev("request_received", { requestId: "lost" }));
    expect(activeTurnCount()).toBe(1);
    expect(activeTurnCount(Date.now() + 29 * 60_000)).toBe(1);
    expect(activeTurnCount(Date.now() + 31 * 60_000)).toBe(0);
  });

  it("installTurnMetrics subscribes once, however often it is called", async () => {
    installTurnMetrics();
    installTurnMetrics();
    const principal = { userId: "user-9", orgId: "org-9", sessionId: "s-9" } as Principal;
    const emit = turnEmitter(principal, "req-9", "conv-9");
    emit("request_received");
    expect(await sample(activeStreams)).toBe(1);
    emit("model_call", {
      latencyMs: 10,
      data: { provider: "offline", model: "offline-large", inputTokens: 3, outputTokens: 7 },
    });
    emit("response_completed", { latencyMs: 20 });
    expect(
      await sample(modelCalls, { provider: "offline", model: "offline-large", outcome: "success" }),
    ).toBe(1);
    expect(await sample(tokensTotal, { org: "org-9", direction: "output" })).toBe(7);
    expect(await sample(chatTurns, { outcome: "completed" })).toBe(1);
    expect(await sample(activeStreams)).toBe(0);
  });

  it("the registry exposes the chat queue at 0 and keeps the audit counters and process metrics", async () => {
    expect(await sample(queueDepth, { queue: "chat" })).toBe(0);
    const text = await registry.metrics();
    for (const name of [
      "enclave_audit_write_failures_total",
      "enclave_audit_events_dropped_total",
      "enclave_process_cpu_seconds_total",
      "enclave_nodejs_eventloop_lag_seconds",
      "enclave_http_request_duration_seconds",
      "enclave_audit_unsealed_events",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });
});

describe("routeTemplate", () => {
  it("replaces each param's value by its name, never leaving an id", () => {
    expect(routeTemplate("/api/conversations/abc123", { id: "abc123" })).toBe("/api/conversations/[id]");
    expect(routeTemplate("/api/conversations/abc123/messages", { id: "abc123" })).toBe(
      "/api/conversations/[id]/messages",
    );
    expect(routeTemplate("/api/admin/teams/t1/members/u1", { id: "t1", userId: "u1" })).toBe(
      "/api/admin/teams/[id]/members/[userId]",
    );
    expect(routeTemplate("/api/admin/roles/custom%20role", { key: "custom role" })).toBe(
      "/api/admin/roles/[key]",
    );
  });

  it("two params with the same value are placed in order", () => {
    expect(routeTemplate("/api/admin/teams/same/managers/same", { id: "same", userId: "same" })).toBe(
      "/api/admin/teams/[id]/managers/[userId]",
    );
  });

  it("catch-all params span several segments", () => {
    expect(routeTemplate("/api/files/a/b/c", { path: ["a", "b", "c"] })).toBe("/api/files/[...path]");
    expect(routeTemplate("/api/files/a/b/c/raw", { path: ["a", "b", "c"] })).toBe("/api/files/[...path]/raw");
  });

  it("static routes and missing params stay as they are", () => {
    expect(routeTemplate("/api/health", {})).toBe("/api/health");
    expect(routeTemplate("/api/health", undefined)).toBe("/api/health");
    expect(routeTemplate("/api/conversations", { id: undefined })).toBe("/api/conversations");
  });
});
