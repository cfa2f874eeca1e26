import client from "prom-client";

/**
 * The process's Prometheus registry (one per process, shared across Next's module graphs).
 * Everything measured lives here; /api/metrics renders it.
 */
const holder = globalThis as typeof globalThis & { __enclaveMetrics?: ReturnType<typeof create> };

function create() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "enclave_process_" });
  return {
    registry,
    auditWriteFailures: new client.Counter({
      name: "enclave_audit_write_failures_total",
      help: "Chat-turn audit events that could not be written (the turns were still answered).",
      registers: [registry],
    }),
    auditEventsDropped: new client.Counter({
      name: "enclave_audit_events_dropped_total",
      help: "Chat-turn audit events dropped because the in-memory queue was full.",
      registers: [registry],
    }),
  };
}

const m = (holder.__enclaveMetrics ??= create());

export const registry = m.registry;
export const auditWriteFailures = m.auditWriteFailures;
export const auditEventsDropped = m.auditEventsDropped;
