import { APICallError, RetryError } from "ai";

/**
 * What the user is told when the model fails. It names the kind of failure and what to do;
 * it never echoes provider URLs, keys or raw bodies.
 */
export interface ModelFailure {
  kind: "rate_limited" | "provider_error" | "unreachable" | "timeout" | "bad_request" | "auth" | "unknown";
  message: string;
  status?: number;
}

function unwrap(error: unknown): unknown {
  if (RetryError.isInstance(error)) return error.lastError;
  return error;
}

export function describeModelFailure(error: unknown, opts: { timedOut?: boolean } = {}): ModelFailure {
  if (opts.timedOut) {
    return { kind: "timeout", message: "The model took too long to answer. Your message is saved; retry in a moment." };
  }
  const e = unwrap(error);
  if (APICallError.isInstance(e)) {
    const s = e.statusCode;
    if (s === 429) {
      return { kind: "rate_limited", status: s, message: "The model provider is rate-limiting requests (429). Your message is saved; retry in a moment." };
    }
    if (s === 401 || s === 403) {
      return { kind: "auth", status: s, message: `The model provider refused Enclave's credentials (${s}). Ask an admin to check the provider configuration.` };
    }
    if (s !== undefined && s >= 500) {
      return { kind: "provider_error", status: s, message: `The model provider failed (${s}). Your message is saved; retry in a moment.` };
    }
    if (s !== undefined && s >= 400) {
      return { kind: "bad_request", status: s, message: `The model provider rejected the request (${s}). Ask an admin to check the model configuration.` };
    }
    return { kind: "unreachable", message: "Enclave could not reach the model provider. Your message is saved; retry in a moment." };
  }
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed|socket|terminated|ECONNRESET|UND_ERR/i.test(msg)) {
    return { kind: "unreachable", message: "The connection to the model provider broke. Your message is saved; retry in a moment." };
  }
  return { kind: "unknown", message: "The model failed to answer. Your message is saved; retry in a moment." };
}
