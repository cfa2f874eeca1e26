/**
 * Where a streamed reply's CPU goes, outside Next.js and outside Enclave's own code.
 *
 *   npm run bench:stream-cpu -- [--concurrency 20] [--turns 6] [--token-ms 20] [--words 45]
 *
 * `bench:chat` shows that a server process saturates at a few dozen turns a second. This bench
 * splits that cost without any of Enclave in the way, all in one process against the mock model:
 *   1. the mock's side plus a plain `fetch` reading the raw SSE (the floor);
 *   2. the AI SDK pipeline every turn uses (streamText → toUIMessageStream with onEnd → the UI
 *      message SSE response), read to the end;
 *   3. Enclave's reply stage instead (lib/chat/reply-stream.ts: one stream stage that merges text
 *      deltas and encodes SSE once per frame), from the same streamText;
 *   4. both with eight AsyncLocalStorage instances active, as under Next.js (which keeps
 *      several; Enclave adds one for the request context). On Node.js 20 every enabled
 *      AsyncLocalStorage runs a hook for every promise created, and web streams create several
 *      promises per chunk per stage.
 * CPU per turn (user + system) is measured with process.cpuUsage. Prints figures; never fails.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createOpenAI } from "@ai-sdk/openai";
import { createUIMessageStreamResponse, streamText, toUIMessageStream } from "ai";
import { startMockOpenAI } from "../e2e/fixtures/mock-openai/server";
import { createReplyStream } from "../lib/chat/reply-stream";
import { coalesceTextDeltas } from "../lib/models/coalesce-text";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const CONCURRENCY = Number(args.get("concurrency") ?? 20);
const TURNS = Number(args.get("turns") ?? 6);
const TOKEN_MS = Number(args.get("token-ms") ?? 20);
// --words N: the mock replies with N word-sized tokens instead of its ~45-token echo.
const WORDS = args.get("words") ? Number(args.get("words")) : null;
const PROMPT =
  "How did the Q3 numbers compare with the plan for the northern region, which product lines grew fastest, " +
  "what drove the churn we saw in September, and what should the sales team focus on next quarter to recover?" +
  (WORDS ? ` [[mock:reply=${Array.from({ length: WORDS }, (_, i) => `w${i}`).join(" ")}]]` : "");

async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  for (;;) if ((await reader.read()).done) return;
}

async function main(): Promise<void> {
  const mock = await startMockOpenAI({ port: 0, defaults: { delayToken: TOKEN_MS } });
  const openai = createOpenAI({ baseURL: mock.url, apiKey: "bench", name: "openai-compatible" });

  const rawTurn = async () => {
    const res = await fetch(`${mock.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "mock-large",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: PROMPT }],
      }),
    });
    await drain(res.body!);
  };
  const sdkTurn = async () => {
    const result = streamText({ model: openai.chat("mock-large"), prompt: PROMPT });
    const ui = toUIMessageStream({ stream: result.stream, onEnd: async () => {} });
    await drain(createUIMessageStreamResponse({ stream: ui }).body!);
  };

  const enclaveTurn = async () => {
    const result = streamText({ model: coalesceTextDeltas(openai.chat("mock-large")), prompt: PROMPT });
    const reply = createReplyStream({
      source: result.stream,
      messageId: "m",
      startMetadata: () => ({ status: "streaming" }),
      finishMetadata: (u) => ({ status: "complete", ...u }),
      errorText: () => "failed",
      onCancel: () => {},
      onEnd: async () => {},
      stallMs: 30_000,
    });
    await drain(reply.sse());
  };

  /** CPU ms per turn with `concurrency` users each running `turns` turns back to back. */
  async function measure(turn: () => Promise<void>, stores: AsyncLocalStorage<number>[]): Promise<number> {
    const all = (n: number) =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let k = 0; k < n; k++) await turn();
        }),
      );
    // Enter every store, as a request handler under Next.js runs inside several.
    const inStores = (n: number) =>
      stores.reduce<() => Promise<unknown>>(
        (f, s, i) => () => s.run(i, f),
        () => all(n),
      )();
    await inStores(2); // warm-up: JIT, connections
    const before = process.cpuUsage();
    await inStores(TURNS);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / (CONCURRENCY * TURNS);
  }

  console.log(
    `\n${CONCURRENCY} concurrent turns, ${TURNS} each, ${WORDS ?? "~45"} tokens a reply ${TOKEN_MS} ms apart, ${process.version}; CPU per turn:\n`,
  );
  const raw = await measure(rawTurn, []);
  console.log(`  mock model + raw fetch of the SSE          ${raw.toFixed(1).padStart(6)} ms`);
  const sdk = await measure(sdkTurn, []);
  console.log(`  AI SDK pipeline (minus the above)          ${(sdk - raw).toFixed(1).padStart(6)} ms`);
  const ours = await measure(enclaveTurn, []);
  console.log(`  Enclave reply stage instead (minus)        ${(ours - raw).toFixed(1).padStart(6)} ms`);
  // Created last: once enabled, a store's hook stays on for the whole process.
  const stores = Array.from({ length: 8 }, () => new AsyncLocalStorage<number>());
  const sdkAls = await measure(sdkTurn, stores);
  console.log(`  … with 8 AsyncLocalStorage active (minus)  ${(sdkAls - raw).toFixed(1).padStart(6)} ms`);
  const oursAls = await measure(enclaveTurn, stores);
  console.log(`  … Enclave reply stage, same (minus)        ${(oursAls - raw).toFixed(1).padStart(6)} ms`);
  await mock.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
