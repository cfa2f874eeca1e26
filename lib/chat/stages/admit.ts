import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { composeGuards } from "@/lib/limits/compose";
import { admitTurn } from "@/lib/limits/admission";
import { budgetGuard, budgetWarningFor, checkBudget, type BudgetWarning } from "@/lib/usage/budgets";
import type { CallGuard } from "@/lib/models/gateway";
import { messageText } from "../schema";
import type { TurnContext } from "./turn-context";

/** The request as the trail records it, once the turn is filed. */
export interface Received {
  at: number;
  input: string;
  data: Record<string, unknown>;
}

export interface Admitted {
  text: string;
  received: Received;
  /** Asked before and told after every model call of the turn (token limits, budget). */
  guard?: CallGuard;
  /** Frees the turn's concurrency slot; called once, when the turn is over. */
  release(): void;
  /** Past a budget's soft threshold: the chat's banner (known by the time the reply ends). */
  budgetWarning(): BudgetWarning | null;
}

/**
 * Stage 1, before anything is stored or any model is called: is this message acceptable, and may
 * this person start a turn now (rate, token and concurrency limits, budget)? A refusal here
 * leaves nothing behind but its audit record; the browser keeps what the user typed.
 */
export async function admit(ctx: TurnContext): Promise<Admitted> {
  const e = env();
  const text = messageText(ctx.req.message.parts);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > e.MAX_MESSAGE_BYTES) {
    throw new AppError(
      "payload_too_large",
      `Your message is ${(bytes / 1024).toFixed(1)} KB; the limit is ${Math.floor(e.MAX_MESSAGE_BYTES / 1024)} KB. Shorten it or split it into several messages.`,
      { fields: [{ field: "message.parts", message: `over ${e.MAX_MESSAGE_BYTES} bytes` }] },
    );
  }
  if (!text.trim()) {
    throw new AppError("validation_failed", "The message is empty.", { fields: [{ field: "message.parts", message: "no text" }] });
  }
  const received: Received = {
    at: ctx.startedAt,
    input: text,
    data: { messageId: ctx.req.message.id, bytes, ...(ctx.opts.clientRequestId ? { clientRequestId: ctx.opts.clientRequestId } : {}) },
  };
  let admission;
  const t0 = performance.now();
  try {
    // The budget first: it counts nothing, so a refusal costs no request of the minute's limit.
    await checkBudget(ctx.principal, { requestId: ctx.opts.requestId });
    admission = await admitTurn(ctx.principal);
    ctx.opts.timing?.add("admit", performance.now() - t0);
  } catch (err) {
    // Refused before anything was stored: the trail keeps the attempt and the limit that was hit.
    ctx.emitUnfiled("request_received", received);
    ctx.emitUnfiled("admission_refused", {
      latencyMs: Date.now() - ctx.startedAt,
      outcome: "failure",
      data: err instanceof AppError ? { error: err.code, ...refusalData(err) } : { error: "internal" },
    });
    throw err;
  }
  let released = false;
  let warning: BudgetWarning | null = null;
  // Off the way to the first token: read while the team works, shown when the reply ends.
  void budgetWarningFor(ctx.principal, { requestId: ctx.opts.requestId }).then(
    (w) => (warning = w),
    () => {},
  );
  return {
    text,
    received,
    // Tokens per minute and the budget, asked before and told after every model call.
    guard: composeGuards(admission.guard, budgetGuard(ctx.principal, { requestId: ctx.opts.requestId })),
    budgetWarning: () => warning,
    release: () => {
      if (released) return;
      released = true;
      admission.release();
    },
  };
}

function refusalData(err: AppError): Record<string, unknown> {
  return { ...(err.reason ? { reason: err.reason } : {}), ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}) };
}
