import { createHash, timingSafeEqual } from "node:crypto";
import { pendingAuditSteps } from "@/lib/audit/step-writer";
import { unsealedCount } from "@/lib/db/audit-chain";
import { logger } from "./logger";
import { registry, setScrapeSource } from "./metrics";

/**
 * What GET /api/metrics serves: the registry in Prometheus text format, with the gauges that
 * are read at scrape time (audit queue, unsealed audit events) wired to their sources.
 */
const UNSEALED_TIMEOUT_MS = 2_000;
// Several scrapers (HA Prometheus pairs) share one count: it is a full count of unsealed rows.
const UNSEALED_MIN_INTERVAL_MS = 5_000;

const holder = globalThis as typeof globalThis & {
  __enclaveScrapeSources?: { installed: boolean; last?: { at: number; value: Promise<number> } };
};
const state = (holder.__enclaveScrapeSources ??= { installed: false });

async function readUnsealed(): Promise<number> {
  const now = Date.now();
  if (state.last && now - state.last.at < UNSEALED_MIN_INTERVAL_MS) return state.last.value;
  let timer: NodeJS.Timeout | undefined;
  const value = Promise.race([
    unsealedCount(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${UNSEALED_TIMEOUT_MS} ms`)),
        UNSEALED_TIMEOUT_MS,
      );
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

/** Wires the scrape-time gauges to their sources (idempotent). */
export function installScrapeSources(): void {
  if (state.installed) return;
  state.installed = true;
  setScrapeSource({ queue: "audit", read: pendingAuditSteps });
  setScrapeSource({ unsealed: readUnsealed });
}

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  installScrapeSources();
  const body = await registry.metrics();
  // prom-client 15 writes NaN (e.g. event-loop lag before its first sample) as "Nan"; the format says "NaN".
  return { contentType: registry.contentType, body: body.replace(/^([^#\n][^\n]*) Nan$/gm, "$1 NaN") };
}

/** Whether an Authorization header carries exactly `Bearer <token>` (compared in constant time). */
export function bearerMatches(authorization: string | null, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  const given = createHash("sha256")
    .update(m?.[1] ?? "")
    .digest();
  const want = createHash("sha256").update(token).digest();
  return timingSafeEqual(given, want) && m !== null;
}
