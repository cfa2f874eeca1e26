import type { LanguageModelV4, LanguageModelV4Middleware, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { wrapLanguageModel } from "ai";

/**
 * Reports every call the SDK makes to a model — each step of a multi-step turn and each retry
 * of a failed call — with its latency, tokens and outcome. This is where the reliability issue's
 * retry/fallback/breaker events will be observed too.
 */
export interface ModelCallReport {
  attempt: number;
  call: number;
  startedAt: number;
  latencyMs: number;
  outcome: "success" | "failure";
  inputTokens?: number;
  outputTokens?: number;
  finishReason?: string;
  error?: unknown;
}

export function observeModelCalls(model: LanguageModelV4, onCall: (r: ModelCallReport) => void): LanguageModelV4 {
  let calls = 0;
  let attempt = 0;
  let lastFailed = false;
  const begin = () => {
    calls += 1;
    attempt = lastFailed ? attempt + 1 : 1;
    return { call: calls, attempt, startedAt: Date.now(), t0: performance.now() };
  };
  const end = (s: ReturnType<typeof begin>, r: Omit<ModelCallReport, "attempt" | "call" | "startedAt" | "latencyMs">) => {
    lastFailed = r.outcome === "failure";
    onCall({ attempt: s.attempt, call: s.call, startedAt: s.startedAt, latencyMs: Math.round(performance.now() - s.t0), ...r });
  };

  const middleware: LanguageModelV4Middleware = {
    specificationVersion: "v4",
    async wrapGenerate({ doGenerate }) {
      const s = begin();
      try {
        const result = await doGenerate();
        end(s, {
          outcome: "success",
          inputTokens: result.usage.inputTokens.total,
          outputTokens: result.usage.outputTokens.total,
          finishReason: result.finishReason.unified,
        });
        return result;
      } catch (error) {
        end(s, { outcome: "failure", error });
        throw error;
      }
    },
    async wrapStream({ doStream, params }) {
      const s = begin();
      let result;
      try {
        result = await doStream();
      } catch (error) {
        end(s, { outcome: "failure", error });
        throw error;
      }
      let reported = false;
      const report = (r: Omit<ModelCallReport, "attempt" | "call" | "startedAt" | "latencyMs">) => {
        if (!reported) {
          reported = true;
          end(s, r);
        }
      };
      let finish: Extract<LanguageModelV4StreamPart, { type: "finish" }> | undefined;
      const watched = result.stream.pipeThrough(
        new TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart>({
          transform(part, controller) {
            if (part.type === "finish") finish = part;
            if (part.type === "error") report({ outcome: "failure", error: part.error });
            controller.enqueue(part);
          },
          flush() {
            report(
              finish
                ? {
                    outcome: "success",
                    inputTokens: finish.usage.inputTokens.total,
                    outputTokens: finish.usage.outputTokens.total,
                    finishReason: finish.finishReason.unified,
                  }
                : { outcome: "failure", error: new Error("the stream ended without finishing") },
            );
          },
        }),
      );
      // A caller that stops reading (stop button, disconnect, timeout) aborts the call.
      params.abortSignal?.addEventListener("abort", () => report({ outcome: "failure", error: params.abortSignal?.reason ?? new Error("aborted") }), {
        once: true,
      });
      return { ...result, stream: watched };
    },
  };
  return wrapLanguageModel({ model, middleware }) as LanguageModelV4;
}
