/**
 * The floor for `bench:chat`: the least a server can do to relay the model's stream to a browser
 * the way Enclave does, as an AI SDK UI message stream. No Next.js, no auth, no database, no
 * history, no audit: `node:http` → `streamText` (`@ai-sdk/openai`, Chat Completions) →
 * `toUIMessageStream` → `pipeUIMessageStreamToResponse`.
 *
 *   node --import tsx bench/bare-relay.ts --port 3402 --model-url http://127.0.0.1:3401/v1
 *
 * POST /api/chat takes Enclave's body (`{ id, message: { parts: [{ type: "text", text }] } }`)
 * and answers with the same SSE format Enclave sends. GET /health answers 200. Prints
 * `bare-relay listening on …` once ready; stops on SIGTERM/SIGINT.
 */
import http from "node:http";
import { parseArgs } from "node:util";
import { createOpenAI } from "@ai-sdk/openai";
import { pipeUIMessageStreamToResponse, streamText, toUIMessageStream } from "ai";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3402" },
    "model-url": { type: "string", default: "http://127.0.0.1:3401/v1" },
    model: { type: "string", default: "mock-large" },
  },
  strict: true,
});

const openai = createOpenAI({ baseURL: values["model-url"], apiKey: "bench" });
const model = openai.chat(values.model);

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function promptOf(raw: string): string | null {
  try {
    const body = JSON.parse(raw) as { message?: { parts?: Array<{ type?: string; text?: unknown }> } };
    const text = (body.message?.parts ?? [])
      .filter((p) => p.type === "text" && typeof p.text === "string")
      .map((p) => p.text as string)
      .join("\n");
    return text || null;
  } catch {
    return null;
  }
}

const server = http.createServer((req, res) => {
  res.on("error", () => {});
  if (req.method === "GET" && req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  if (req.method !== "POST" || req.url !== "/api/chat") {
    res.writeHead(404).end();
    return;
  }
  void (async () => {
    const prompt = promptOf(await readBody(req));
    if (!prompt) {
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":"bad body"}');
      return;
    }
    // A client that goes away stops the model call, as in Enclave.
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const result = streamText({ model, prompt, maxRetries: 0, abortSignal: abort.signal });
    await pipeUIMessageStreamToResponse({
      response: res,
      stream: toUIMessageStream({ stream: result.stream }),
    });
  })().catch((err: unknown) => {
    if (!res.headersSent) res.writeHead(500).end(String(err));
    else res.destroy();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`bare-relay listening on http://127.0.0.1:${values.port}`);
});
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
