import { AdminApiError, adminFetch, type FieldError } from "../api";

/** An API refusal that also carries the error body's reason and details (a stale save's who and when). */
export class AgentApiError extends AdminApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    fields: FieldError[],
    readonly reason: string | undefined,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(status, code, message, fields);
    this.name = "AgentApiError";
  }
}

/** Who saved the newer version a save was refused for (409 stale_version), from its details. */
export interface StaleVersion {
  currentVersion: number;
  savedBy: string | null;
  savedAt: string | null;
}

export function staleVersionOf(e: unknown): StaleVersion | null {
  if (!(e instanceof AgentApiError) || e.reason !== "stale_version" || !e.details) return null;
  const d = e.details;
  return {
    currentVersion: typeof d.currentVersion === "number" ? d.currentVersion : 0,
    savedBy: typeof d.savedBy === "string" ? d.savedBy : null,
    savedAt: typeof d.savedAt === "string" ? d.savedAt : null,
  };
}

/** A change to /api/admin/agents/*: like adminFetch, but a refusal keeps its reason and details. */
export async function agentsWrite<T>(path: string, method: "PUT" | "POST", body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      cache: "no-store",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new AdminApiError(0, "network", "Enclave could not be reached. Check your connection and retry; your text is still here.");
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (res.ok) return parsed as T;
  if (res.status === 401) throw new AdminApiError(401, "unauthorized", "Your session has ended. Sign in again; your text is still here.");
  const err = (parsed as { error?: { code?: string; message?: string; fields?: FieldError[]; reason?: string; details?: Record<string, unknown> } } | null)
    ?.error;
  throw new AgentApiError(
    res.status,
    err?.code ?? "unknown",
    err?.message ?? `Something went wrong (HTTP ${res.status}). Retry in a moment.`,
    err?.fields ?? [],
    err?.reason,
    err?.details,
  );
}

export { adminFetch };
