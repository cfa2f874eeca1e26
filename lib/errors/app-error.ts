import type { ZodError } from "zod";

/** Error codes are part of the public API: clients switch on them. */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  /** A cookie-authenticated change sent from another site (lib/http/same-origin.ts). */
  csrf_refused: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  /** A spend budget (lib/usage/budgets) is used up until its period resets; Retry-After says when. */
  budget_exceeded: 429,
  internal: 500,
  model_unavailable: 502,
  unavailable: 503,
  model_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldIssue {
  field: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldIssue[]; reason?: string; retryAfterSeconds?: number; details?: Record<string, unknown> };
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields?: FieldIssue[];
  readonly retryAfterSeconds?: number;
  /** A finer machine-readable reason (e.g. why a credential was refused). */
  readonly reason?: string;
  /**
   * Machine-readable facts for the client (which limit, how many, when it resets). Only errors
   * that carry details show their reason and retryAfterSeconds in the body, too.
   */
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { fields?: FieldIssue[]; retryAfterSeconds?: number; cause?: unknown; reason?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.fields = opts.fields;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.reason = opts.reason;
    this.details = opts.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    const extra = this.details
      ? {
          ...(this.reason ? { reason: this.reason } : {}),
          ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: Math.ceil(this.retryAfterSeconds) } : {}),
          details: this.details,
        }
      : {};
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}), ...extra } };
  }

  toResponse(): Response {
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
    if (this.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(this.retryAfterSeconds));
    return new Response(JSON.stringify(this.toBody()), { status: this.status, headers });
  }

  /**
   * OpenAI's error envelope, for the compatibility API: clients and SDKs switch on `type` and
   * `code` (e.g. the openai package maps 401 to AuthenticationError).
   */
  toOpenAIResponse(): Response {
    const type =
      this.code === "unauthorized"
        ? "invalid_request_error"
        : this.code === "rate_limited"
          ? "requests"
          : this.code === "budget_exceeded"
            ? "insufficient_quota"
            : this.status >= 500
              ? "server_error"
              : "invalid_request_error";
    const code =
      this.code === "unauthorized" && this.reason === "invalid_api_key"
        ? "invalid_api_key"
        : this.code === "unauthorized"
          ? "missing_api_key"
          : this.code;
    const param = this.fields?.[0]?.field ?? null;
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
    if (this.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(this.retryAfterSeconds));
    return new Response(JSON.stringify({ error: { message: this.message, type, param, code } }), { status: this.status, headers });
  }

  static notFound(what = "Resource"): AppError {
    // Same answer whether the thing is missing or belongs to someone else.
    return new AppError("not_found", `${what} not found.`);
  }

  static unauthorized(message = "Sign in to continue."): AppError {
    return new AppError("unauthorized", message);
  }

  static fromZod(error: ZodError, code: ErrorCode = "validation_failed"): AppError {
    const fields = error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
    const summary = fields.map((f) => `${f.field}: ${f.message}`).join("; ");
    return new AppError(code, `Invalid request: ${summary}`, { fields });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
