/** Turns a failed request (AI SDK transport error or fetch response) into words for the user. */
export interface ApiErrorInfo {
  code: string | null;
  message: string;
  /** The server's Retry-After, in whole seconds, when it sent one (see fetchKeepingRetryAfter). */
  retryAfterSeconds?: number;
  /** A finer reason (lib/limits: user_rpm, concurrency, audit_backlog, budget_exceeded…). */
  reason?: string;
  /** The limit lib/limits named in `error.details.limit` (user_rpm, user_tpm, concurrency…). */
  limit?: string;
}

/** Where fetchKeepingRetryAfter puts the header in the error body the transport hands on. */
const RETRY_AFTER_FIELD = "retryAfterSeconds";

export function parseApiError(err: unknown): ApiErrorInfo {
  const raw = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  try {
    const body = JSON.parse(raw) as {
      error?: { code?: string; message?: string; reason?: unknown; retryAfterSeconds?: unknown; details?: { limit?: unknown } };
      [RETRY_AFTER_FIELD]?: unknown;
    };
    const e = body?.error;
    if (e?.message) {
      // The header (kept by fetchKeepingRetryAfter) is the contract; the body's copy is a fallback.
      const after = [body[RETRY_AFTER_FIELD], e.retryAfterSeconds].find((v): v is number => typeof v === "number" && Number.isFinite(v) && v > 0);
      const limit = e.details && typeof e.details === "object" ? e.details.limit : undefined;
      return {
        code: e.code ?? null,
        message: e.message,
        ...(after !== undefined ? { retryAfterSeconds: Math.ceil(after) } : {}),
        ...(typeof e.reason === "string" ? { reason: e.reason } : {}),
        ...(typeof limit === "string" ? { limit } : {}),
      };
    }
  } catch {
    /* not JSON: a stream error text, which the server already wrote for people */
  }
  if (/failed to fetch|networkerror|load failed/i.test(raw)) {
    return { code: "network", message: "Enclave could not be reached. Check your connection and retry." };
  }
  return { code: null, message: raw || "Something went wrong. Retry in a moment." };
}

/**
 * Retry-After as whole seconds: delta-seconds or an HTTP date. Undefined when absent or
 * unreadable, so no countdown is shown rather than a wrong one.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const s = Number(v);
    return s > 0 ? s : undefined;
  }
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  const s = Math.ceil((at - now) / 1000);
  return s > 0 ? s : undefined;
}

/**
 * A fetch for the chat transport. The AI SDK turns a failed response into an error carrying
 * only its body, so the Retry-After header would be lost; this copies it into the JSON body
 * (`retryAfterSeconds`), where parseApiError finds it. Successful responses pass untouched.
 */
export async function fetchKeepingRetryAfter(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.ok) return res;
  const after = parseRetryAfter(res.headers.get("retry-after"));
  if (after === undefined) return res;
  const text = await res.text();
  const headers = new Headers(res.headers);
  headers.delete("content-length"); // the body is rewritten
  const rebuilt = (b: string) => new Response(b, { status: res.status, statusText: res.statusText, headers });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return rebuilt(text);
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return rebuilt(text);
  return rebuilt(JSON.stringify({ ...body, [RETRY_AFTER_FIELD]: after }));
}

/**
 * Whether the refused request may have stored the user's message. Most refusals come before
 * anything is stored (too large, invalid, signed out, and admission's rate, concurrency and
 * budget checks). But 429 and 503 also come after: when the gateway refuses the turn's first
 * model call (no free deployment, every one rate-limited) or the turn's guard stops it (a token
 * limit, the budget), the message is stored and its reply saved as failed before the status is
 * answered, with the same codes and even the same named limit. For those the browser asks the
 * server what it kept rather than guess from the body.
 */
export function mayHaveStored(info: ApiErrorInfo): boolean {
  return info.code === "rate_limited" || info.code === "unavailable" || isBudgetRefusal(info);
}

export function isBudgetRefusal(info: ApiErrorInfo): boolean {
  return info.code === "budget_exceeded" || info.reason === "budget_exceeded";
}

/** What the countdown says: "You can send again in 40 s" (nothing stored) or "Try again in 5 s". */
export function waitSentence(info: ApiErrorInfo, stored: boolean, seconds: number): string {
  const wait = formatWait(seconds);
  if (stored || (info.code === "unavailable" && info.limit === undefined)) return `Try again in ${wait}`;
  return `You can send again in ${wait}`;
}

/**
 * The server's message without its own "you can send again in 40 s", which stops being true a
 * second later: while the live countdown is shown, it says that instead.
 */
export function withoutStaticWait(message: string): string {
  const out = message
    .replace(/[;,]?\s*(?:you can )?(?:send|try) again in \d+\s*s\b\.?/giu, "")
    .trim();
  if (out.length === 0) return message;
  return /[.!?]$/u.test(out) ? out : `${out}.`;
}

/** "40 s", "4 min 10 s", "2 h 5 min", "3 days". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${rest} s`;
  }
  if (s < 2 * 86_400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  return `${Math.round(s / 86_400)} days`;
}
