import { describe, expect, it } from "vitest";
import type { LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { coalesceTextStream } from "./coalesce-text";

type Part = LanguageModelV4StreamPart;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const delta = (d: string, id = "t"): Part => ({ type: "text-delta", id, delta: d });

async function run(parts: Array<Part | number>, windowMs: number): Promise<Part[]> {
  const src = new ReadableStream<Part>({
    async start(c) {
      for (const p of parts) {
        if (typeof p === "number") await sleep(p);
        else c.enqueue(p);
      }
      c.close();
    },
  });
  const out: Part[] = [];
  const reader = coalesceTextStream(src, windowMs).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

describe("coalescing text deltas at the model", () => {
  it("passes the first delta alone and merges the rest of a burst", async () => {
    const out = await run([{ type: "text-start", id: "t" }, delta("a"), delta("b"), delta("c"), delta("d"), { type: "text-end", id: "t" }], 50);
    expect(out).toEqual([{ type: "text-start", id: "t" }, delta("a"), delta("bcd"), { type: "text-end", id: "t" }]);
  });

  it("an empty first delta (chat completions' role chunk) does not count as the first token", async () => {
    const out = await run([delta(""), delta("a"), delta("b"), delta("c")], 1000);
    expect(out).toEqual([delta(""), delta("a"), delta("bc")]);
  });

  it("sends what it holds when the window closes, without waiting for the next part", async () => {
    const out = await run([delta("a"), delta("b"), 60, delta("c"), delta("d")], 20);
    expect(out).toEqual([delta("a"), delta("b"), delta("cd")]);
  });

  it("keeps order across parts of other kinds and other text ids", async () => {
    const out = await run([delta("a"), delta("b"), delta("x", "u"), delta("y", "u"), { type: "text-end", id: "u" }], 1000);
    expect(out).toEqual([delta("a"), delta("b"), delta("xy", "u"), { type: "text-end", id: "u" }]);
  });

  it("a broken provider stream sends the text it held before the error", async () => {
    let n = 0;
    const src = new ReadableStream<Part>({
      pull(c) {
        const next = [delta("a"), delta("b"), delta("c")][n++];
        if (next) c.enqueue(next);
        else c.error(new Error("socket hang up"));
      },
    });
    const reader = coalesceTextStream(src, 1000).getReader();
    const seen: Part[] = [];
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          seen.push(value);
        }
      })(),
    ).rejects.toThrow(/hang up/);
    expect(seen).toEqual([delta("a"), delta("bc")]);
  });

  it("a cancelled reader does not make a pending timer throw", async () => {
    const src = new ReadableStream<Part>({
      start(c) {
        c.enqueue(delta("a"));
        c.enqueue(delta("b"));
      },
    });
    const reader = coalesceTextStream(src, 10).getReader();
    await reader.read();
    await reader.cancel();
    await sleep(30); // the window passes with nobody reading; an enqueue here would be an uncaught error
  });
});
