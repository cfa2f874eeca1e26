import { isStepCount, streamText, type TextStreamPart, type ToolSet } from "ai";
import { toolsForTurn } from "@/lib/agents/tools";
import type { AgentVersions, TraceChunk } from "@/lib/agents/types";
import { env } from "@/lib/config/env";
import { getLanguageModel } from "@/lib/models/registry";
import { logger } from "@/lib/observability/logger";
import { errorSummary } from "../error-summary";
import { emitGatewayEvent } from "../gateway-events";
import type { Admitted } from "./admit";
import type { Prepared } from "./prepare";
import type { Recalled } from "./recall";
import type { TurnContext } from "./turn-context";
import type { TurnSignal } from "./turn-signal";

export interface Answered {
  deploymentId: string;
  label: string;
  fallback: boolean;
}

/** What the stream stage reads: the trace and the answer as one stream of parts. */
export interface Orchestrated {
  stream: ReadableStream<TextStreamPart<ToolSet> | TraceChunk>;
  tools: ToolSet;
  versions: AgentVersions;
  /** The deployment that answered, once known. */
  answered(): Answered | undefined;
}

const INSTRUCTIONS =
  "You are Enclave, an assistant inside a company's private AI workspace. Answer clearly and concisely in Markdown. " +
  "You only know this user's own conversation; never claim access to other people's data. " +
  "Use the calculator tool for arithmetic and the clock tool for the current date or time.";
const MAX_STEPS = 5;

/** Stage 4: plan, run the specialists in parallel, and stream the aggregated answer. */
export async function orchestrate(ctx: TurnContext, admitted: Admitted, prepared: Prepared, _recalled: Recalled[], signal: TurnSignal): Promise<Orchestrated> {
  const e = env();
  const { emit, principal } = ctx;
  let answered: Answered | undefined;
  const { model } = await getLanguageModel("large", {
    orgId: principal.orgId,
    userId: principal.userId,
    deadline: ctx.startedAt + e.MODEL_TIMEOUT_MS,
    ...(admitted.guard ? { guard: admitted.guard } : {}),
    onEvent: (ev) => {
      if (ev.type === "answered") answered = { deploymentId: ev.deploymentId, label: ev.label, fallback: ev.fallback };
      emitGatewayEvent(emit, ev);
    },
  });
  const tools = toolsForTurn(e.CHAT_TOOLS, (t) =>
    emit("tool_call", {
      at: t.startedAt,
      latencyMs: t.latencyMs,
      outcome: t.outcome,
      input: JSON.stringify(t.input),
      output: JSON.stringify(t.output),
      data: { tool: t.tool, toolCallId: t.toolCallId },
    }),
  );
  const result = streamText({
    model,
    instructions: INSTRUCTIONS,
    messages: prepared.messages,
    ...(Object.keys(tools).length > 0 ? { tools, stopWhen: isStepCount(MAX_STEPS) } : {}),
    abortSignal: signal.signal,
    maxRetries: 0,
    onError: ({ error }) => {
      logger.warn({ component: "chat", requestId: ctx.opts.requestId, err: errorSummary(error) }, "model stream error");
    },
  });
  return { stream: result.stream, tools, versions: {}, answered: () => answered };
}
