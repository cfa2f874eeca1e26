import type { Tool, ToolSet } from "ai";
import { calculator } from "./calculator";
import { clock } from "./clock";

/**
 * The built-in tools a chat turn may use. They read nothing of anyone's data; tools that do
 * (search, memory) will be factories closing over the principal.
 */
export const BUILT_IN_TOOLS = { calculator, clock } as const satisfies ToolSet;
export type BuiltInToolName = keyof typeof BUILT_IN_TOOLS;

export interface ToolCallReport {
  tool: string;
  toolCallId: string;
  startedAt: number;
  latencyMs: number;
  outcome: "success" | "failure";
  input: unknown;
  output: unknown;
}

/** The tools for one turn, each wrapped to report its calls (the turn's tool_call steps). */
export function toolsForTurn(names: readonly string[], onCall: (r: ToolCallReport) => void): ToolSet {
  const picked: ToolSet = {};
  for (const name of names) {
    const t = (BUILT_IN_TOOLS as Record<string, Tool>)[name];
    if (t) picked[name] = t;
  }
  return reportingTools(picked, onCall);
}

/** Each tool wrapped to report its calls (a turn's tool_call steps); tools without execute are dropped. */
export function reportingTools(tools: ToolSet, onCall: (r: ToolCallReport) => void): ToolSet {
  const out: ToolSet = {};
  for (const [name, t] of Object.entries(tools)) {
    if (!t?.execute) continue;
    const execute = t.execute;
    out[name] = {
      ...t,
      execute: async (input, options) => {
        const startedAt = Date.now();
        const t0 = performance.now();
        try {
          const output = await execute(input, options);
          const failed = typeof output === "object" && output !== null && "error" in output;
          onCall({ tool: name, toolCallId: options.toolCallId, startedAt, latencyMs: Math.round(performance.now() - t0), outcome: failed ? "failure" : "success", input, output });
          return output;
        } catch (error) {
          onCall({ tool: name, toolCallId: options.toolCallId, startedAt, latencyMs: Math.round(performance.now() - t0), outcome: "failure", input, output: String(error) });
          throw error;
        }
      },
    } as Tool;
  }
  return out;
}
