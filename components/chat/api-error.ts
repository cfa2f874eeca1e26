/** Turns a failed request (AI SDK transport error or fetch response) into words for the user. */
export interface ApiErrorInfo {
  code: string | null;
  message: string;
  /** The server's Retry-After, in whole seconds, when it sent one (see fetchKeepingRetryAfter). */
  retryAfterSeconds?: number;
}

/** Where fetchKeepingRetryAfter puts the header in the error body the transport hands on. */
const RETRY_AFTER_FIELD = "retryAfterSeconds";

export function parseApiError(err: unknown): ApiErrorInfo {
  const raw = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  try {
    const body = JSON.parse(raw) as { error?: { code?: string; message?: string }; [RETRY_AFTER_FIELD]?: unknown };
    if (body?.error?.message) {
      const after = body[RETRY_AFTER_FIELD];
      return {
        code: body.error.code ?? null,
        message: body.error.message,
        ...(typeof after === "number" && Number.isFinite(after) && after > 0 ? { retryAfterSeconds: Math.ceil(after) } : {}),
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
 * Whether the refused request may have stored the user's message. Admission refusals (too
 * large, invalid, signed out, a rate limit or budget of the user's) come before anything is
 * stored. The gateway's refusals come after: the message is stored and its reply saved as
 * failed, then the answer is a 429 (`rate_limited`, every deployment rate-limited) or a 503
 * (`unavailable`, no free slot). Those two codes are also admission's (a user's rate limit,
 * the audit writer's backpressure), so for them the browser asks the server what it kept.
 */
export function mayHaveStored(info: ApiErrorInfo): boolean {
  return info.code === "rate_limited" || info.code === "unavailable";
}

/** What the countdown says: "You can send again in 40 s" (nothing stored) or "Try again in 5 s". */
export function waitSentence(info: ApiErrorInfo, stored: boolean, seconds: number): string {
  const wait = formatWait(seconds);
  if (stored || info.code === "unavailable") return `Try again in ${wait}`;
  return `You can send again in ${wait}`;
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
