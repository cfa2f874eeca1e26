/** Turns a failed request (AI SDK transport error or fetch response) into words for the user. */
export interface ApiErrorInfo {
  code: string | null;
  message: string;
}

export function parseApiError(err: unknown): ApiErrorInfo {
  const raw = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  try {
    const body = JSON.parse(raw) as { error?: { code?: string; message?: string } };
    if (body?.error?.message) return { code: body.error.code ?? null, message: body.error.message };
  } catch {
    /* not JSON: a stream error text, which the server already wrote for people */
  }
  if (/failed to fetch|networkerror|load failed/i.test(raw)) {
    return { code: "network", message: "Enclave could not be reached. Check your connection and retry." };
  }
  return { code: null, message: raw || "Something went wrong. Retry in a moment." };
}
