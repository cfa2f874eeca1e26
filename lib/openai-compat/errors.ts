import { AppError, type ErrorCode } from "@/lib/errors/app-error";

/**
 * An error that knows its OpenAI `code` and `param` (e.g. `model_not_found`), for the
 * compatibility API. It is an AppError, so `withPrincipal(…, { errors: "openai" })` renders it;
 * only its OpenAI envelope differs from the generic mapping.
 */
export class OpenAICompatError extends AppError {
  readonly openaiCode: string | null;
  readonly param: string | null;
  readonly openaiType: string;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { openaiCode?: string | null; param?: string | null; type?: string; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(code, message, { cause: opts.cause, retryAfterSeconds: opts.retryAfterSeconds });
    this.openaiCode = opts.openaiCode ?? null;
    this.param = opts.param ?? null;
    this.openaiType = opts.type ?? (this.status >= 500 ? "server_error" : "invalid_request_error");
  }

  toOpenAIBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.openaiType, param: this.param, code: this.openaiCode } };
  }

  override toOpenAIResponse(): Response {
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
    if (this.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(this.retryAfterSeconds));
    return new Response(JSON.stringify(this.toOpenAIBody()), { status: this.status, headers });
  }
}

export function modelNotFound(model: string): OpenAICompatError {
  return new OpenAICompatError("not_found", `The model '${model}' does not exist. GET /api/v1/models lists the models you can use.`, {
    openaiCode: "model_not_found",
    param: "model",
  });
}
