import type { LanguageModelV4, LanguageModelV4Middleware, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { wrapLanguageModel } from "ai";

/**
 * Merges a model stream's text deltas that arrive within `windowMs` of each other into one part,
 * right where they leave the provider. Every part then costs the AI SDK's whole streamText
 * pipeline (a dozen web-stream stages, each a few promises per part) once per window instead of
 * once per token: a provider sending a token every 5 ms costs a quarter of the parts at 20 ms.
 * The first text delta of each stream passes at once, so the first token is never delayed; any
 * other part flushes what is held first, so order is kept.
 */
export function coalesceTextDeltas(model: LanguageModelV4, windowMs = 20): LanguageModelV4 {
  if (windowMs <= 0) return model;
  const middleware: LanguageModelV4Middleware = {
    specificationVersion: "v4",
    async wrapStream({ doStream }) {
      const result = await doStream();
      return { ...result, stream: coalesceTextStream(result.stream, windowMs) };
    },
  };
  return wrapLanguageModel({ model, middleware }) as LanguageModelV4;
}

/**
 * A pull-through wrapper rather than a TransformStream: when the provider's stream breaks, the
 * text held back is sent before the error, so a cut reply keeps every token that arrived.
 */
export function coalesceTextStream(source: ReadableStream<LanguageModelV4StreamPart>, windowMs: number): ReadableStream<LanguageModelV4StreamPart> {
  const reader = source.getReader();
  let firstSent = false;
  let pending: { id: string; pieces: string[] } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let open = true;
  let wake: (() => void) | null = null;

  return new ReadableStream<LanguageModelV4StreamPart>(
    {
      start(controller) {
        const flush = () => {
          if (timer) clearTimeout(timer);
          timer = null;
          if (!pending || !open) return;
          const { id, pieces } = pending;
          pending = null;
          controller.enqueue({ type: "text-delta", id, delta: pieces.length === 1 ? pieces[0]! : pieces.join("") });
        };
        const pump = async () => {
          try {
            for (;;) {
              // The reader is behind by more than a few parts: wait until it asks again.
              if ((controller.desiredSize ?? 1) <= -8) await new Promise<void>((r) => (wake = r));
              if (!open) return;
              const { done, value: part } = await reader.read();
              if (!open) return;
              if (done) break;
              // Provider metadata on a delta is kept by passing that delta on its own.
              if (part.type === "text-delta" && part.providerMetadata === undefined) {
                // An empty delta (the role-only first chunk of chat completions) is not the first token.
                if (!firstSent || part.delta.length === 0) {
                  if (part.delta.length > 0) firstSent = true;
                  controller.enqueue(part);
                  continue;
                }
                if (pending && pending.id !== part.id) flush();
                if (!pending) {
                  pending = { id: part.id, pieces: [] };
                  timer = setTimeout(flush, windowMs);
                }
                pending.pieces.push(part.delta);
                continue;
              }
              flush();
              controller.enqueue(part);
            }
            flush();
            open = false;
            controller.close();
          } catch (err) {
            if (!open) return;
            flush();
            open = false;
            controller.error(err);
          }
        };
        void pump();
      },
      pull() {
        const w = wake;
        wake = null;
        w?.();
      },
      cancel(reason) {
        open = false;
        if (timer) clearTimeout(timer);
        timer = null;
        const w = wake;
        wake = null;
        w?.();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 1 },
  );
}
