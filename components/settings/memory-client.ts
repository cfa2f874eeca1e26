import type { MemoryDto, PreferencesDto } from "@/lib/memory/schema";

/** The browser's side of /api/me/memories, /api/me/preferences, /api/me/export and /api/jobs. */
export class SettingsApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fields: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

async function send(input: string, init: RequestInit, fallback: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(input, { cache: "no-store", ...init });
  } catch {
    throw new SettingsApiError("Enclave could not be reached. Check your connection and retry.", 0);
  }
  if (res.ok) return res;
  try {
    const body = (await res.json()) as { error?: { message?: string; fields?: Array<{ field: string; message: string }> } };
    if (body.error?.message) throw new SettingsApiError(body.error.message, res.status, body.error.fields ?? []);
  } catch (e) {
    if (e instanceof SettingsApiError) throw e;
  }
  throw new SettingsApiError(`${fallback} (HTTP ${res.status}).`, res.status);
}

const jsonInit = (method: string, body: unknown): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

export async function fetchMemories(q: { q?: string; status?: "active" | "proposed"; cursor?: string | null } = {}): Promise<{ items: MemoryDto[]; nextCursor: string | null }> {
  const params = new URLSearchParams({ limit: "50" });
  if (q.q) params.set("q", q.q);
  if (q.status) params.set("status", q.status);
  if (q.cursor) params.set("cursor", q.cursor);
  const res = await send(`/api/me/memories?${params}`, {}, "Could not load your memories");
  return (await res.json()) as { items: MemoryDto[]; nextCursor: string | null };
}

export async function createMemory(text: string): Promise<MemoryDto> {
  return (await (await send("/api/me/memories", jsonInit("POST", { text }), "Could not add the memory")).json()) as MemoryDto;
}

export async function patchMemory(id: string, change: { text?: string; status?: "active" }): Promise<MemoryDto> {
  return (await (await send(`/api/me/memories/${encodeURIComponent(id)}`, jsonInit("PATCH", change), "Could not save the memory")).json()) as MemoryDto;
}

export async function removeMemory(id: string): Promise<void> {
  await send(`/api/me/memories/${encodeURIComponent(id)}`, { method: "DELETE" }, "Could not delete the memory");
}

export async function fetchPreferences(): Promise<PreferencesDto> {
  return (await (await send("/api/me/preferences", {}, "Could not load your preferences")).json()) as PreferencesDto;
}

export async function savePreferences(change: Partial<PreferencesDto>): Promise<PreferencesDto> {
  return (await (await send("/api/me/preferences", jsonInit("PUT", change), "Could not save your preferences")).json()) as PreferencesDto;
}

export interface JobDto {
  id: string;
  kind: string;
  status: "queued" | "running" | "done" | "failed";
  progress: number;
  error?: string;
  downloadUrl?: string;
  expiresAt?: string;
  expired?: boolean;
}

export async function startExportJob(): Promise<{ id: string }> {
  return (await (await send("/api/me/export", { method: "POST" }, "Could not start the export")).json()) as { id: string };
}

export async function startErasureJob(scope: "content" | "account"): Promise<{ id: string }> {
  return (await (await send("/api/me/erase", jsonInit("POST", { scope }), "Could not start the erasure")).json()) as { id: string };
}

export async function fetchJob(id: string): Promise<JobDto> {
  return (await (await send(`/api/jobs/${encodeURIComponent(id)}`, {}, "Could not read the export's progress")).json()) as JobDto;
}
