import { APICallError, RetryError } from "ai";
import { AppError } from "@/lib/errors/app-error";
import { GatewayError, retryAfterFrom } from "@/lib/models/failures";

/**
 * What the user is told when the model fails. It names the kind of failure and what to do;
 * it never echoes provider URLs, keys or raw bodies.
 */
export interface ModelFailure {
  kind: "rate_limited" | "budget_exceeded" | "provider_error" | "unreachable" | "stream_broken" | "timeout" | "bad_request" | "auth" | "storage" | "unknown";
  message: string;
  status?: number;
  /** The provider's Retry-After (or retry-after-ms), in seconds, when it sent one. */
  retryAfterSeconds?: number;
  /** The turn's own guard stopped the call (a token limit, a budget), not the provider. */
  byGuard?: true;
}

export const TIMEOUT_MESSAGE = "The model took too long to answer. Your message is saved; retry in a moment.";
const STREAM_BROKEN_MESSAGE = "The model provider's stream broke off before the reply finished. Your message is saved; retry in a moment.";

function unwrap(error: unknown): unknown {
  if (RetryError.isInstance(error)) return error.lastError;
  return error;
}

/** Whole seconds (at most an hour) the provider asked to wait, read by the gateway's one parser. */
export function retryAfterSeconds(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  const ms = retryAfterFrom(headers, undefined, now);
  return ms === undefined ? undefined : Math.min(Math.ceil(ms / 1000), 3600);
}

export function describeModelFailure(error: unknown, opts: { timedOut?: boolean } = {}): ModelFailure {
  if (opts.timedOut) {
    return { kind: "timeout", message: TIMEOUT_MESSAGE };
  }
  const e = unwrap(error);
  // The turn's own guard stopped a call (a token limit, a budget): its message says which and when.
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c instanceof AppError && (c.code === "rate_limited" || c.code === "budget_exceeded")) {
      return {
        kind: c.code,
        status: 429,
        byGuard: true,
        ...(c.retryAfterSeconds !== undefined ? { retryAfterSeconds: Math.ceil(c.retryAfterSeconds) } : {}),
        message: `${c.message.replace(/\.$/, "")}. The answer stops here; what was written so far is kept.`,
      };
    }
  }
  if (e instanceof GatewayError) {
    // The gateway's own verdicts: its timeouts, a cooldown longer than the turn, no free slot.
    const f = e.failure;
    const after = f.retryAfterMs !== undefined ? { retryAfterSeconds: Math.min(3600, Math.max(1, Math.ceil(f.retryAfterMs / 1000))) } : {};
    const saved = `${f.message.replace(/\.$/, "")}. Your message is saved; retry in a moment.`;
    if (f.kind === "timeout" || f.kind === "first_token_timeout") return { kind: "timeout", message: TIMEOUT_MESSAGE };
    if (f.kind === "rate_limited" || f.kind === "quota") return { kind: "rate_limited", status: 429, ...after, message: saved };
    if (f.kind === "unavailable") return { kind: "provider_error", status: 503, ...after, message: saved };
    if (f.kind === "stream_broken") return { kind: "stream_broken", message: STREAM_BROKEN_MESSAGE };
  }
  if (APICallError.isInstance(e)) {
    const s = e.statusCode;
    const retryAfter = retryAfterSeconds(e.responseHeaders);
    const after = retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {};
    if (s === 429) {
      return { kind: "rate_limited", status: s, ...after, message: "The model provider is rate-limiting requests (429). Your message is saved; retry in a moment." };
    }
    if (s === 401 || s === 403) {
      return { kind: "auth", status: s, message: `The model provider refused Enclave's credentials (${s}). Ask an admin to check the provider configuration.` };
    }
    if (s !== undefined && s >= 500) {
      return { kind: "provider_error", status: s, ...after, message: `The model provider failed (${s}). Your message is saved; retry in a moment.` };
    }
    if (s !== undefined && s >= 400) {
      return { kind: "bad_request", status: s, message: `The model provider rejected the request (${s}). Ask an admin to check the model configuration.` };
    }
    // A response arrived (2xx) and its body broke off: the provider was reached, its stream was cut.
    if ((s !== undefined && s < 400) || e.responseHeaders !== undefined) {
      return { kind: "stream_broken", message: STREAM_BROKEN_MESSAGE };
    }
    return { kind: "unreachable", message: "Enclave could not reach the model provider. Your message is saved; retry in a moment." };
  }
  const msg = e instanceof Error ? `${e.name} ${e.message} ${String((e as { cause?: unknown }).cause ?? "")}` : String(e);
  if (/terminated|other side closed|ECONNRESET|UND_ERR_SOCKET/i.test(msg)) {
    return { kind: "stream_broken", message: STREAM_BROKEN_MESSAGE };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed|socket|UND_ERR/i.test(msg)) {
    return { kind: "unreachable", message: "Enclave could not reach the model provider. Your message is saved; retry in a moment." };
  }
  return { kind: "unknown", message: "The model failed to answer. Your message is saved; retry in a moment." };
}
