/**
 * One "app process" for lib/models/shared-breaker.test.ts: builds the gateway from its own
 * environment (MODEL_DEPLOYMENTS, REDIS_URL) exactly as the server does at start-up, then answers
 * the parent's requests over the IPC channel. Run with `node --import tsx` and an "ipc" stdio slot.
 */
import { streamText } from "ai";
import { parseEnv } from "@/lib/config/env";
import { getGateway, getLanguageModel } from "@/lib/models/registry";
import { installSharedState, sharedRedis } from "@/lib/models/shared-state";

export type Request =
  | { id: number; op: "ask"; prompts: string[] }
  | { id: number; op: "view" }
  | { id: number; op: "redis-status" };

export type AskResult = { prompt: string; ok: true; deploymentId: string; ms: number } | { prompt: string; ok: false; error: string; ms: number };

const e = parseEnv(process.env);
await installSharedState(e);
await getGateway(e);

async function ask(prompt: string): Promise<AskResult> {
  const t0 = Date.now();
  let deploymentId: string | undefined;
  try {
    const { model } = await getLanguageModel(
      "large",
      { orgId: "org-1", userId: `user-${process.pid}`, deadline: Date.now() + 15_000, onEvent: (ev) => ev.type === "answered" && (deploymentId = ev.deploymentId) },
      e,
    );
    await streamText({ model, prompt, maxRetries: 0 }).text;
    return { prompt, ok: true, deploymentId: deploymentId ?? "?", ms: Date.now() - t0 };
  } catch (err) {
    return { prompt, ok: false, error: (err as Error).message, ms: Date.now() - t0 };
  }
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case "ask":
      // All at once: concurrent turns of one process.
      return Promise.all(req.prompts.map(ask));
    case "view": {
      const g = await getGateway(e);
      return Object.fromEntries(await Promise.all(g.runtimes.map(async (r) => [r.deployment.id, (await r.breaker.view()).state])));
    }
    case "redis-status":
      return sharedRedis()?.status ?? "none";
  }
}

process.on("message", (req: Request) => {
  void handle(req).then(
    (result) => process.send!({ id: req.id, result }),
    (err: Error) => process.send!({ id: req.id, error: err.message }),
  );
});
process.on("disconnect", () => process.exit(0));
process.send!({ ready: true });
