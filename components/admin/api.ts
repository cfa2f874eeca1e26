/** Calls to /api/admin/* from the console, with the API's error message kept for the person. */

export interface FieldError {
  field: string;
  message: string;
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

export async function adminFetch<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      cache: "no-store",
      signal: init.signal,
      headers: init.body !== undefined ? { "content-type": "application/json" } : undefined,
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new AdminApiError(0, "network", "Enclave could not be reached. Check your connection and retry.");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string; fields?: FieldError[] } } | null)
      ?.error;
    if (res.status === 401)
      throw new AdminApiError(401, "unauthorized", "Your session has ended. Sign in again.");
    throw new AdminApiError(
      res.status,
      err?.code ?? "unknown",
      err?.message ?? `Something went wrong (HTTP ${res.status}). Retry in a moment.`,
      err?.fields ?? [],
    );
  }
  return body as T;
}

export function messageOf(e: unknown): string {
  if (e instanceof AdminApiError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return "Something went wrong. Retry in a moment.";
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === "AbortError";
}

/** The message for one field (`emailDomains.1`), from an API error. */
export function fieldMessage(e: unknown, field: string): string | undefined {
  return e instanceof AdminApiError ? e.fields.find((f) => f.field === field)?.message : undefined;
}
