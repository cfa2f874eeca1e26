import type { Principal } from "@/lib/principal";
import { turnEmitter, type Emit } from "@/lib/observability/turn-events";
import type { ChatRequest } from "../schema";
import type { TurnOptions } from "../turn-types";

/** What every stage of one turn knows: who, which request, when it began, where steps go. */
export interface TurnContext {
  principal: Principal;
  req: ChatRequest;
  opts: TurnOptions;
  startedAt: number;
  /** Steps filed under the conversation: only once prepare has proven it is the caller's. */
  emit: Emit;
  /** Steps of a turn refused before its conversation was known to be the caller's. */
  emitUnfiled: Emit;
}

export function turnContext(principal: Principal, req: ChatRequest, opts: TurnOptions): TurnContext {
  return {
    principal,
    req,
    opts,
    startedAt: Date.now(),
    emit: turnEmitter(principal, opts.requestId, req.id),
    // The conversation id is the caller's claim, not proven theirs (it may be someone else's).
    emitUnfiled: turnEmitter(principal, opts.requestId, null),
  };
}
