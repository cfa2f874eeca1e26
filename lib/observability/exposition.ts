import { createHash, timingSafeEqual } from "node:crypto";
import { registry } from "./metrics";

/**
 * What GET /api/metrics serves: the registry in Prometheus text format. Gauges read at scrape
 * time are registered by their owners with setScrapeSource (the audit trail registers its queue
 * and unsealed-event gauges when its sink is installed), so this module knows none of them.
 */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
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
