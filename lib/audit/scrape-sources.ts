import { unsealedCount } from "@/lib/db/audit-chain";
import { logger } from "@/lib/observability/logger";
import { setScrapeSource } from "@/lib/observability/metrics";
import { pendingAuditSteps } from "./step-writer";

/**
 * The audit trail's scrape-time gauges, registered by audit itself (observability only renders
 * what it is given): enclave_queue_depth{queue="audit"} (chat-turn events not yet written) and
 * enclave_audit_unsealed_events (written, not yet chained; a database count).
 */
const UNSEALED_TIMEOUT_MS = 2_000;
// Several scrapers (HA Prometheus pairs) share one count: it is a full count of unsealed rows.
const UNSEALED_MIN_INTERVAL_MS = 5_000;

const holder = globalThis as typeof globalThis & {
  __enclaveAuditScrape?: { installed: boolean; last?: { at: number; value: Promise<number> } };
};
const state = (holder.__enclaveAuditScrape ??= { installed: false });

async function readUnsealed(): Promise<number> {
  const now = Date.now();
  if (state.last && now - state.last.at < UNSEALED_MIN_INTERVAL_MS) return state.last.value;
  let timer: NodeJS.Timeout | undefined;
  const value = Promise.race([
    unsealedCount(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${UNSEALED_TIMEOUT_MS} ms`)), UNSEALED_TIMEOUT_MS);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
  state.last = { at: now, value };
  try {
    return await value;
  } catch (err) {
    state.last = undefined;
    logger.warn({ component: "metrics", err }, "could not count unsealed audit events for the metrics");
    throw err;
  }
}

/** Idempotent; called when the audit sink is installed (start-up). */
export function installAuditScrapeSources(): void {
  if (state.installed) return;
  state.installed = true;
  setScrapeSource({ queue: "audit", read: pendingAuditSteps });
  setScrapeSource({ unsealed: readUnsealed });
}
