import client from "prom-client";

/**
 * The process's Prometheus registry (one per process, shared across Next's module graphs).
 * Everything measured lives here; /api/metrics renders it.
 *
 * This module only declares metrics (it imports nothing of Enclave's, so anything may import
 * it). What feeds them: the route wrappers (HTTP), the chat-turn metrics sink
 * (./turn-metrics.ts) and, at scrape time, the sources registered with `setScrapeSource`
 * (lib/audit/scrape-sources.ts registers the audit queue and the unsealed audit events).
 */
type Read = () => number | Promise<number>;

interface Sources {
  queues: Map<string, Read>;
  unsealed?: Read;
  activeStreams?: () => number;
}

const holder = globalThis as typeof globalThis & { __enclaveMetrics?: ReturnType<typeof create> };

/** Label values must stay few: anything unexpected is collapsed, never passed through raw. */
export function labelValue(v: unknown, fallback = "unknown"): string {
  return typeof v === "string" && v.length > 0 ? v.slice(0, 100) : fallback;
}

function create() {
  const registry = new client.Registry();
  // Node and process metrics: enclave_process_cpu_seconds_total, enclave_nodejs_heap_size_used_bytes, …
  client.collectDefaultMetrics({ register: registry, prefix: "enclave_" });
  const sources: Sources = { queues: new Map() };

  const queueDepth = new client.Gauge({
    name: "enclave_queue_depth",
    help: 'Work waiting in a queue: queue="chat" (turns waiting for a slot), queue="audit" (chat-turn audit events not yet written).',
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      for (const [queue, read] of sources.queues) {
        try {
          this.set({ queue }, await read());
        } catch {
          // Keep the last value; the scrape itself must not fail.
        }
      }
    },
  });
  queueDepth.set({ queue: "chat" }, 0);

  const turns = new client.Counter({
    name: "enclave_chat_turns_total",
    help: "Chat turns that ended, by outcome (completed, interrupted, failed).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  for (const outcome of ["completed", "interrupted", "failed"]) turns.inc({ outcome }, 0);

  return {
    registry,
    sources,
    auditWriteFailures: new client.Counter({
      name: "enclave_audit_write_failures_total",
      help: "Chat-turn audit events that could not be written (the turns were still answered).",
      registers: [registry],
    }),
    auditEventsDropped: new client.Counter({
      name: "enclave_audit_events_dropped_total",
      help: "Chat-turn audit events dropped from a full queue. Stays 0: the writer applies backpressure (new turns refused with 503) instead of dropping; kept so existing alerts stay valid.",
      registers: [registry],
    }),
    auditEventsQuarantined: new client.Counter({
      name: "enclave_audit_events_quarantined_total",
      help: "Chat-turn audit events the database refused one by one (logged with the error, full event included); the rest of their batch was written.",
      registers: [registry],
    }),
    auditWriteRetries: new client.Counter({
      name: "enclave_audit_write_retries_total",
      help: "Audit batch writes put back for a retry (with backoff) because the database was unavailable.",
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: "enclave_http_request_duration_seconds",
      help: "API requests, until the response head is ready (a streamed body continues after), by route template, method and status.",
      labelNames: ["route", "method", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    ttft: new client.Histogram({
      name: "enclave_chat_ttft_seconds",
      help: "Time from the start of a chat turn to its first token, by provider and model.",
      labelNames: ["provider", "model"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60],
      registers: [registry],
    }),
    stepDuration: new client.Histogram({
      name: "enclave_chat_step_duration_seconds",
      help: "Duration of chat-turn steps (model_call, tool_call, first_token and response_* since the turn began), by step and outcome.",
      labelNames: ["step", "outcome"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    gatewayEvents: new client.Counter({
      name: "enclave_gateway_events_total",
      help: "Model gateway steps besides calls: retries, fallbacks, breaker transitions, queue waits and cache hits, by event and deployment.",
      labelNames: ["event", "deployment"] as const,
      registers: [registry],
    }),
    modelCalls: new client.Counter({
      name: "enclave_model_calls_total",
      help: "Model calls (each retry attempt counts), by deployment, provider, model and outcome (success, failure).",
      labelNames: ["deployment", "provider", "model", "outcome"] as const,
      registers: [registry],
    }),
    tokens: new client.Counter({
      name: "enclave_tokens_total",
      help: "Model tokens reported by providers, by org id and direction (input, output).",
      labelNames: ["org", "direction"] as const,
      registers: [registry],
    }),
    turns,
    activeStreams: new client.Gauge({
      name: "enclave_active_streams",
      help: "Chat turns in progress (received and not yet completed, interrupted or failed).",
      registers: [registry],
      collect() {
        const read = sources.activeStreams;
        if (read) this.set(read());
      },
    }),
    queueDepth,
    auditUnsealed: new client.Gauge({
      name: "enclave_audit_unsealed_events",
      help: "Audit events written but not yet sealed into their org's hash chain (read from the database at scrape time).",
      registers: [registry],
      async collect() {
        const read = sources.unsealed;
        if (!read) return;
        try {
          this.set(await read());
        } catch {
          // The database is down or slow: keep the last value rather than fail the scrape.
        }
      },
    }),
  };
}

const m = (holder.__enclaveMetrics ??= create());

export const registry = m.registry;
export const auditWriteFailures = m.auditWriteFailures;
export const auditEventsDropped = m.auditEventsDropped;
export const auditEventsQuarantined = m.auditEventsQuarantined;
export const auditWriteRetries = m.auditWriteRetries;
export const httpRequestDuration = m.httpDuration;
export const chatTtft = m.ttft;
export const chatStepDuration = m.stepDuration;
export const modelCalls = m.modelCalls;
export const gatewayEvents = m.gatewayEvents;
export const tokensTotal = m.tokens;
export const chatTurns = m.turns;
export const activeStreams = m.activeStreams;
export const queueDepth = m.queueDepth;
export const auditUnsealedEvents = m.auditUnsealed;

/**
 * Registers what a gauge reads when Prometheus scrapes: a queue's depth, the number of unsealed
 * audit events, the number of turns in progress. Registering again replaces the reader.
 */
export function setScrapeSource(
  source: { queue: string; read: Read } | { unsealed: Read } | { activeStreams: () => number },
): void {
  if ("queue" in source) m.sources.queues.set(source.queue, source.read);
  else if ("unsealed" in source) m.sources.unsealed = source.unsealed;
  else m.sources.activeStreams = source.activeStreams;
}

/**
 * The route template for a request path: each dynamic segment's value (from the route's params)
 * replaced by its name, e.g. /api/conversations/abc → /api/conversations/[id]. Params are
 * matched left to right in the order Next gives them, segment by segment (catch-alls span
 * several), so ids never become label values.
 */
export function routeTemplate(
  pathname: string,
  params: Record<string, string | string[] | undefined> | undefined,
): string {
  const segments = pathname.split("/");
  const decoded = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  let from = 1;
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      for (let i = from; i + value.length <= segments.length; i++) {
        if (value.every((v, j) => decoded[i + j] === v)) {
          segments.splice(i, value.length, `[...${name}]`);
          decoded.splice(i, value.length, `[...${name}]`);
          from = i + 1;
          break;
        }
      }
      continue;
    }
    for (let i = from; i < segments.length; i++) {
      if (decoded[i] === value) {
        segments[i] = `[${name}]`;
        decoded[i] = segments[i]!;
        from = i + 1;
        break;
      }
    }
  }
  return segments.join("/") || "/";
}
