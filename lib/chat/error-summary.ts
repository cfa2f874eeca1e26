/** An error as a log line may hold it: name, a bounded message, a status; never a request body. */
export function errorSummary(error: unknown): { name: string; message: string; status?: number } {
  if (error instanceof Error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return { name: error.name, message: error.message.slice(0, 300), ...(typeof status === "number" ? { status } : {}) };
  }
  return { name: "unknown", message: String(error).slice(0, 300) };
}
