import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { GatewayError } from "@/lib/models/failures";
import type { Principal } from "@/lib/principal";
import { describeModelFailure } from "./model-errors";
import type { ChatRequest } from "./schema";
import { admit } from "./stages/admit";
import { finish, type FailureSlot } from "./stages/finish";
import { orchestrate } from "./stages/orchestrate";
import { prepare } from "./stages/prepare";
import { recall } from "./stages/recall";
import { streamReply } from "./stages/stream";
import { turnContext } from "./stages/turn-context";
import { turnSignal } from "./stages/turn-signal";
import type { ChatTurn, TurnOptions, TurnOutcome } from "./turn-types";

export type { ChatTurn, TurnOptions, TurnOutcome } from "./turn-types";

/**
 * One chat turn, the pipeline both doors use (the browser and the OpenAI-compatible API), as
 * the stages ARCHITECTURE.md lists, each in lib/chat/stages/:
 *   admit → prepare (store the user's message, load history) → recall → orchestrate (plan,
 *   specialists in parallel, aggregate) → stream → finish (store the reply, close the record).
 */
export async function runChatTurn(principal: Principal, req: ChatRequest, opts: TurnOptions): Promise<ChatTurn> {
  const ctx = turnContext(principal, req, opts);
  const admitted = await admit(ctx);
  try {
    const prepared = await prepare(ctx, admitted);
    const recalled = await recall(ctx, admitted.text);
    const signal = turnSignal(opts.signal, env().MODEL_TIMEOUT_MS);
    const team = await orchestrate(ctx, admitted, prepared, recalled, signal);
    const slot: FailureSlot = {};
    let settle!: (o: TurnOutcome) => void;
    const done = new Promise<TurnOutcome>((r) => (settle = r));
    const reply = streamReply(ctx, admitted, prepared, team, signal, slot, async (result) => {
      try {
        const { outcome, unsaved } = await finish(ctx, prepared, team, signal, slot, result);
        settle(outcome);
        return unsaved ? { unsaved } : {};
      } finally {
        admitted.release();
      }
    });
    return {
      conversationId: req.id,
      assistantMessageId: prepared.assistantMessageId,
      createdConversation: prepared.createdConversation,
      modelLabel: prepared.modelLabel,
      sse: () => reply.sse(),
      chunks: () => reply.chunks(),
      opened: async () => {
        const { failed } = await reply.opened();
        const refusal = failed === undefined ? null : statusFor(failed);
        if (!refusal) return;
        // Nothing has reached the caller yet: store the reply's error state, then answer with a
        // status code (503, 429 with Retry-After) instead of a stream that only says it failed.
        const r = reply.chunks().getReader();
        while (!(await r.read()).done) {
          /* drain */
        }
        await done;
        throw refusal;
      },
      done,
    };
  } catch (err) {
    admitted.release();
    throw err;
  }
}

/**
 * The gateway's own refusals, and the turn's guard stopping its first call (a token limit, a
 * budget), become status codes; a provider's error stays in the stream.
 */
function statusFor(error: unknown): AppError | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof AppError && (e.status === 429 || e.status === 503)) return e;
  }
  if (!(error instanceof GatewayError)) return null;
  const f = describeModelFailure(error);
  const retryAfterSeconds = f.retryAfterSeconds ?? 5;
  if (f.kind === "rate_limited") return new AppError("rate_limited", f.message, { retryAfterSeconds, reason: "provider_rate_limited" });
  if (f.kind === "provider_error" && f.status === 503) return new AppError("unavailable", f.message, { retryAfterSeconds, reason: "model_unavailable" });
  return null;
}
