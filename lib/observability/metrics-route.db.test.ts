import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getMetrics } from "@/app/api/metrics/route";
import { GET as getConversation } from "@/app/api/conversations/[id]/route";
import { createApiKey } from "@/lib/apikeys";
import { flushAuditSteps } from "@/lib/audit/step-writer";
import { auditSinkSettled, installAuditTurnSink } from "@/lib/audit/turn-sink";
import { runChatTurn } from "@/lib/chat/turn";
import { resetEnvCache } from "@/lib/config/env";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import { json, withPrincipal } from "@/lib/http/route";
import type { Principal } from "@/lib/principal";
import { currentRequestContext } from "./context";
import { installTurnMetrics } from "./turn-metrics";

/**
 * GET /api/metrics end to end: a chat turn through the real pipeline (offline model), then the
 * real handler's output read with a strict Prometheus text-format parser.
 */
let t: TestDatabase;
let alice: Principal;
const saved = { ...process.env };

function useEnv(vars: Record<string, string | undefined> = {}) {
  for (const k of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL_SMALL", "MODEL_LARGE", "METRICS_TOKEN"])
    delete process.env[k];
  Object.assign(process.env, { OFFLINE_MODEL_DELAY_MS: "0", MODEL_MAX_RETRIES: "0" }, vars);
  resetEnvCache();
}

beforeAll(async () => {
  useEnv();
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"));
  installTurnMetrics();
  installAuditTurnSink();
});
afterAll(async () => {
  process.env = { ...saved };
  resetEnvCache();
  await t?.dispose();
});
beforeEach(() => useEnv());
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

// ---- A small parser for the Prometheus text exposition format (version 0.0.4) ----

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/;

function parseValue(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad sample value ${s}`);
  return Number(s);
}

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = s;
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels {${s}}`);
    if (m[1]! in out) throw new Error(`duplicate label ${m[1]} in {${s}}`);
    out[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_x, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(m[0].length);
  }
  return out;
}

function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  if (families.has(sample)) return families.get(sample);
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, -suffix.length));
    if (f && (f.type === "histogram" || (f.type === "summary" && suffix !== "_bucket"))) return f;
  }
  return undefined;
}

function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  expect(text.endsWith("\n"), "ends with a newline").toBe(true);
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      if (helps.has(m[1]!)) throw new Error(`second HELP for ${m[1]}`);
      helps.set(m[1]!, m[2]!);
    } else if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      if (families.has(m[1]!)) throw new Error(`second TYPE for ${m[1]}`);
      families.set(m[1]!, { name: m[1]!, type: m[2]!, help: helps.get(m[1]!) ?? "", samples: [] });
    } else if (line.startsWith("#")) {
      throw new Error(`unexpected comment: ${line}`);
    } else if ((m = SAMPLE_LINE.exec(line))) {
      const f = familyOf(m[1]!, families);
      if (!f) throw new Error(`sample before (or without) its TYPE line: ${line}`);
      f.samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value: parseValue(m[3]!) });
    } else {
      throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    }
  }
  for (const f of families.values()) {
    expect(f.help, `${f.name} has HELP`).not.toBe("");
    if (f.type === "counter")
      for (const s of f.samples)
        expect(s.value, `${s.name} is a non-negative counter`).toBeGreaterThanOrEqual(0);
    if (f.type === "histogram") checkHistogram(f);
  }
  return families;
}

/** Buckets are cumulative, end at +Inf, and +Inf equals _count, per label set. */
function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== "le")
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  for (const s of f.samples) {
    const k = keyOf(s.labels);
    const e = series.get(k) ?? { buckets: [] };
    series.set(k, e);
    if (s.name.endsWith("_bucket")) e.buckets.push([parseValue(s.labels.le!), s.value]);
    if (s.name.endsWith("_count")) e.count = s.value;
  }
  for (const [k, e] of series) {
    expect(e.buckets.length, `${f.name}${k} has buckets`).toBeGreaterThan(0);
    expect(e.buckets.at(-1)![0], `${f.name}${k} ends at +Inf`).toBe(Infinity);
    for (let i = 1; i < e.buckets.length; i++) {
      expect(e.buckets[i]![0]).toBeGreaterThan(e.buckets[i - 1]![0]);
      expect(e.buckets[i]![1]).toBeGreaterThanOrEqual(e.buckets[i - 1]![1]);
    }
    expect(e.count, `${f.name}${k} _count = +Inf bucket`).toBe(e.buckets.at(-1)![1]);
  }
}

function samples(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): Sample[] {
  const f = familyOf(name, families);
  return (f?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}
const total = (xs: Sample[]) => xs.reduce((n, s) => n + s.value, 0);

// ---- helpers ----

async function scrape(headers: Record<string, string> = {}): Promise<Response> {
  return getMetrics(new Request("http://localhost/api/metrics", { headers }), {
    params: Promise.resolve({}),
  });
}

async function chatTurn(text: string): Promise<void> {
  const id = `metrics-${Math.random().toString(36).slice(2, 10)}`;
  const turn = await runChatTurn(
    alice,
    { id, message: { id: `${id}-m`, role: "user", parts: [{ type: "text", text }] } },
    { requestId: `req-${id}` },
  );
  const reader = turn.chunks().getReader();
  while (!(await reader.read()).done) {
    /* drain */
  }
  expect((await turn.done).status).toBe("complete");
}

describe(`GET /api/metrics (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("serves valid Prometheus text with the chat-turn, HTTP, queue and audit metrics", async () => {
    await chatTurn("Hello metrics, what can you do?");
    // Turn steps reach the audit queue; written (not yet sealed) they count as unsealed.
    await auditSinkSettled();
    await flushAuditSteps();
    // An unauthenticated request to a route with an id: recorded under its template.
    const rawId = `conv-secret-id-${Date.now()}`;
    const denied = await getConversation(new Request(`http://localhost/api/conversations/${rawId}`), {
      params: Promise.resolve({ id: rawId }),
    });
    expect(denied.status).toBe(401);

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const text = await res.text();
    const m = parseExposition(text);

    expect(samples(m, "enclave_chat_ttft_seconds_bucket").length).toBeGreaterThan(0);
    expect(total(samples(m, "enclave_chat_ttft_seconds_count"))).toBeGreaterThanOrEqual(1);
    expect(
      total(
        samples(m, "enclave_chat_step_duration_seconds_count", { step: "model_call", outcome: "success" }),
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples(m, "enclave_chat_step_duration_seconds_count", { step: "response_completed" })),
    ).toBeGreaterThanOrEqual(1);
    expect(total(samples(m, "enclave_model_calls_total", { outcome: "success" }))).toBeGreaterThanOrEqual(1);
    expect(
      total(samples(m, "enclave_tokens_total", { org: alice.orgId, direction: "input" })),
    ).toBeGreaterThan(0);
    expect(
      total(samples(m, "enclave_tokens_total", { org: alice.orgId, direction: "output" })),
    ).toBeGreaterThan(0);
    expect(total(samples(m, "enclave_chat_turns_total", { outcome: "completed" }))).toBeGreaterThanOrEqual(1);
    expect(samples(m, "enclave_chat_turns_total", { outcome: "failed" })).toHaveLength(1);
    expect(total(samples(m, "enclave_active_streams"))).toBe(0);
    expect(samples(m, "enclave_queue_depth", { queue: "chat" }).map((s) => s.value)).toEqual([0]);
    expect(samples(m, "enclave_queue_depth", { queue: "audit" })).toHaveLength(1);
    expect(total(samples(m, "enclave_audit_unsealed_events"))).toBeGreaterThanOrEqual(1);
    expect(m.get("enclave_audit_write_failures_total")?.type).toBe("counter");
    expect(m.get("enclave_audit_events_dropped_total")?.type).toBe("counter");
    expect(m.get("enclave_process_cpu_seconds_total")?.type).toBe("counter");

    const http = samples(m, "enclave_http_request_duration_seconds_count", {
      route: "/api/conversations/[id]",
      method: "GET",
      status: "401",
    });
    expect(total(http)).toBe(1);
    expect(text).not.toContain(rawId);
    // The labels the chat metrics carry.
    const call = samples(m, "enclave_model_calls_total", { outcome: "success" })[0]!;
    expect(Object.keys(call.labels).sort()).toEqual(["deployment", "model", "outcome", "provider"]);

    // The scrape itself is measured (seen by the next scrape).
    const again = parseExposition(await (await scrape()).text());
    expect(
      total(
        samples(again, "enclave_http_request_duration_seconds_count", {
          route: "/api/metrics",
          method: "GET",
          status: "200",
        }),
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it("with METRICS_TOKEN set: no or wrong token → 401, the right one → 200", async () => {
    useEnv({ METRICS_TOKEN: "scrape-token-0123456789" });
    const refused: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer wrong-token-0123456789" },
      { authorization: "Bearer scrape-token-012345678" },
      { authorization: "scrape-token-0123456789" },
      { authorization: "Basic scrape-token-0123456789" },
    ];
    for (const headers of refused) {
      const res = await scrape(headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/json/);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unauthorized");
      expect(body.error.message).not.toContain("scrape-token");
    }
    const ok = await scrape({ authorization: "Bearer scrape-token-0123456789" });
    expect(ok.status).toBe(200);
    parseExposition(await ok.text());
  });

  it("the route wrappers enter the request context: a requestId of the server's own (the caller's kept beside it), then the user and org", async () => {
    const probe = withPrincipal(async () => json(currentRequestContext() ?? null), {
      permission: "signed-in",
    });
    const { key } = await createApiKey(alice, { name: "context probe", scopes: ["chat"] });
    const res = await probe(
      new Request("http://localhost/api/probe", {
        headers: { authorization: `Bearer ${key}`, "x-request-id": "req-context-probe" },
      }),
      {
        params: Promise.resolve({}),
      },
    );
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { requestId: string };
    expect(seen).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      clientRequestId: "req-context-probe",
      userId: alice.userId,
      orgId: alice.orgId,
    });
    expect(res.headers.get("x-request-id")).toBe(seen.requestId);
    expect(currentRequestContext()).toBeUndefined();
  });
});
