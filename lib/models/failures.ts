import { APICallError } from "ai";

/**
 * What a failed model attempt means for the next one: retry the same deployment (and after how
 * long), move to another, and whether the deployment should cool down. The provider's own word
 * on when to come back is read from `retry-after-ms`, `Retry-After` (seconds or an HTTP date) and,
 * failing those, the error body ("Please try again in 1.5s", `retry_after`).
 */
export type AttemptFailureKind =
  | "rate_limited"
  | "quota"
  | "bad_request"
  | "auth"
  | "not_found"
  | "provider_error"
  | "unreachable"
  | "first_token_timeout"
  | "timeout"
  | "stream_broken"
  | "unavailable";

export interface AttemptFailure {
  kind: AttemptFailureKind;
  status?: number;
  /** Worth trying the same deployment again (after `retryAfterMs` or a backoff). */
  retrySame: boolean;
  /** Worth trying another deployment of the tier. */
  failover: boolean;
  /** Open the deployment's breaker at once (429, bad credentials, no such model). */
  openNow: boolean;
  retryAfterMs?: number;
  message: string;
}

/** Thrown by the gateway itself: a deployment's own timeouts, or nothing left to try. */
export class GatewayError extends Error {
  constructor(
    readonly failure: AttemptFailure,
    readonly deploymentId?: string,
  ) {
    super(failure.message);
    this.name = "GatewayError";
  }
}

export function classifyFailure(error: unknown): AttemptFailure {
  if (error instanceof GatewayError) return error.failure;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const retryAfterMs = retryAfterFrom(error.responseHeaders, error.responseBody);
    const code = errorCode(error);
    if (status === 429) {
      if (code === "insufficient_quota") {
        return { kind: "quota", status, retrySame: false, failover: true, openNow: true, message: "The model provider's quota is used up (429 insufficient_quota)." };
      }
      return { kind: "rate_limited", status, retrySame: true, failover: true, openNow: true, retryAfterMs, message: "The model provider is rate-limiting requests (429)." };
    }
    if (status === 401 || status === 403) {
      return { kind: "auth", status, retrySame: false, failover: true, openNow: status === 401, message: `The model provider refused the credentials (${status}).` };
    }
    if (status === 404) return { kind: "not_found", status, retrySame: false, failover: true, openNow: true, message: "The model provider does not know this model (404)." };
    if (status !== undefined && status >= 500) {
      return { kind: "provider_error", status, retrySame: true, failover: true, openNow: false, retryAfterMs, message: `The model provider failed (${status}).` };
    }
    if (status !== undefined && status >= 400) {
      return { kind: "bad_request", status, retrySame: false, failover: false, openNow: false, message: `The model provider rejected the request (${status}).` };
    }
    // A response arrived and its body broke off (the SDK reports status 200 "failed to process"):
    // the provider was reached and its stream was cut.
    if ((status !== undefined && status < 400) || error.responseHeaders !== undefined) {
      return { kind: "stream_broken", retrySame: true, failover: true, openNow: false, message: "The model provider's stream broke off." };
    }
    return { kind: "unreachable", retrySame: true, failover: true, openNow: false, message: "Enclave could not reach the model provider." };
  }
  const text = error instanceof Error ? `${error.name} ${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : String(error);
  if (/terminated|ECONNRESET|socket hang up|other side closed|UND_ERR_SOCKET/i.test(text)) {
    return { kind: "stream_broken", retrySame: true, failover: true, openNow: false, message: "The model provider's stream broke off." };
  }
  return { kind: "unreachable", retrySame: true, failover: true, openNow: false, message: "Enclave could not reach the model provider." };
}

function errorCode(error: APICallError): string | undefined {
  const data = error.data as { error?: { code?: unknown; type?: unknown } } | undefined;
  const code = data?.error?.code ?? data?.error?.type;
  if (typeof code === "string") return code;
  const m = /"code"\s*:\s*"([\w.-]+)"/.exec(error.responseBody ?? "");
  return m?.[1];
}

/** Milliseconds to wait before the provider takes requests again, if it said. */
export function retryAfterFrom(headers: Record<string, string> | undefined, body?: string, now = Date.now()): number | undefined {
  const h = lowerKeys(headers);
  const ms = Number(h["retry-after-ms"]);
  if (h["retry-after-ms"] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const ra = h["retry-after"];
  if (ra !== undefined) {
    const secs = Number(ra);
    if (ra.trim() !== "" && Number.isFinite(secs) && secs >= 0) return secs * 1000;
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  if (body) {
    // OpenAI: "Please try again in 1.5s" / "in 20ms"; others: "retry_after": 2 (seconds).
    const m = /try again in\s+([\d.]+)\s*(ms|s)\b/i.exec(body);
    if (m) return Number(m[1]) * (m[2]!.toLowerCase() === "ms" ? 1 : 1000);
    const r = /"retry_?after"\s*:\s*"?([\d.]+)/i.exec(body);
    if (r) return Number(r[1]) * 1000;
  }
  return undefined;
}

function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}
