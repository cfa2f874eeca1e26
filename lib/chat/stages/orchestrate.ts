import type { ToolSet } from "ai";
import { loadAgentSet } from "@/lib/agents/versions";
import { runTeam, type TeamPart, type TeamResult } from "@/lib/agents/team";
import type { AgentVersions } from "@/lib/agents/types";
import { env } from "@/lib/config/env";
import type { Admitted } from "./admit";
import type { Prepared } from "./prepare";
import type { Recalled } from "./recall";
import type { TurnContext } from "./turn-context";
import type { TurnSignal } from "./turn-signal";

export type Answered = NonNullable<TeamResult["answered"]>;

/** What the stream stage reads: the trace and the answer as one stream of parts. */
export interface Orchestrated {
  stream: ReadableStream<TeamPart>;
  tools: ToolSet;
  /** The agent versions the turn used (complete once the stream has ended). */
  versions: AgentVersions;
  /** The deployment that answered, once known. */
  answered(): Answered | undefined;
  result: Promise<TeamResult>;
}

/**
 * Stage 4: the agent team (lib/agents) plans from the request, the history and the recalled
 * memories, runs the planned specialists in parallel and streams the aggregated answer. Every
 * model call goes through the gateway with the turn's guard; the turn's signal stops them all.
 */
export async function orchestrate(ctx: TurnContext, admitted: Admitted, prepared: Prepared, recalled: Recalled[], signal: TurnSignal): Promise<Orchestrated> {
  // The org's current versions (the built-in ones until admins save their own).
  const agents = await loadAgentSet(ctx.principal);
  const team = runTeam({
    principal: ctx.principal,
    requestId: ctx.opts.requestId,
    conversationId: ctx.req.id,
    messages: prepared.messages,
    userText: admitted.text,
    recalled,
    agents,
    signal: signal.signal,
    deadline: ctx.startedAt + env().MODEL_TIMEOUT_MS,
    emit: ctx.emit,
    ...(admitted.guard ? { guard: admitted.guard } : {}),
  });
  return team;
}
