import type { ApiKeyDto, CreatedApiKeyDto } from "@/lib/apikeys/schema";

/** The browser's side of /api/keys. Errors come back as Enclave's `{error: {code, message, fields}}`. */
export class KeysApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fields: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

async function failure(res: Response, fallback: string): Promise<KeysApiError> {
  try {
    const body = (await res.json()) as { error?: { message?: string; fields?: Array<{ field: string; message: string }> } };
    if (body.error?.message) return new KeysApiError(body.error.message, res.status, body.error.fields ?? []);
  } catch {
    /* not JSON */
  }
  return new KeysApiError(`${fallback} (HTTP ${res.status}).`, res.status);
}

async function send(input: string, init: RequestInit, fallback: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(input, { cache: "no-store", ...init });
  } catch {
    throw new KeysApiError("Enclave could not be reached. Check your connection and retry.", 0);
  }
  if (!res.ok) throw await failure(res, fallback);
  return res;
}

export async function fetchKeys(): Promise<ApiKeyDto[]> {
  const res = await send("/api/keys", {}, "Could not load your API keys");
  return ((await res.json()) as { items: ApiKeyDto[] }).items;
}

export async function createKey(input: { name: string; scopes: string[]; expiresInDays: number | null }): Promise<CreatedApiKeyDto> {
  const res = await send(
    "/api/keys",
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) },
    "Could not create the key",
  );
  return (await res.json()) as CreatedApiKeyDto;
}

export async function revokeKey(id: string): Promise<void> {
  await send(`/api/keys/${encodeURIComponent(id)}`, { method: "DELETE" }, "Could not revoke the key");
}
