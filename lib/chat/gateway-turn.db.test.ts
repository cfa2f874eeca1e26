import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import { AppError } from "@/lib/errors/app-error";
import { runChatTurn } from "./turn";
import { drain, request, rows, setUpTurnTests, useEnv } from "./turn-test-kit";

/** A chat turn through the gateway: who answered is stored; refusals before streaming are status codes. */
const kit = setUpTurnTests();
let b: MockOpenAIServer;
beforeAll(async () => {
  b = await startMockOpenAI({ port: 0 });
});
afterAll(async () => {
  await b?.close();
});

function useDeployments(vars: Record<string, string> = {}, opts: { maxConcurrency?: number; second?: boolean } = {}) {
  const list = [
    { id: "mock-a", provider: "openai-compatible", baseURL: kit.mock.url, model: "model-a", tiers: ["small", "large"], priority: 0, ...(opts.maxConcurrency ? { maxConcurrency: opts.maxConcurrency } : {}) },
    ...(opts.second ? [{ id: "mock-b", provider: "openai-compatible", baseURL: b.url, model: "model-b", tiers: ["small", "large"], priority: 1 }] : []),
  ];
  b.reset();
  useEnv({ MODEL_DEPLOYMENTS: JSON.stringify(list), MODEL_MAX_RETRIES: "1", ...vars });
}

describe(`chat turns through the gateway (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("primary down: the fallback answers, and the stored reply names the deployment and model", async () => {
    useDeployments({}, { second: true });
    kit.mock.enqueueFaults({ status: 503, times: 5 });
    const req = request("who is answering?");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r-fallback" });
    await turn.opened();
    const chunks = await drain(turn);
    expect((await turn.done).status).toBe("complete");
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { model: "mock-b", deployment: "mock-b", fallback: true } });
    const reply = (await rows(kit, req.id))[1]!;
    expect(reply).toMatchObject({ status: "complete", model: "mock-b", deploymentId: "mock-b", fallback: true });
  });

  it("a rate limit longer than the turn may wait is a 429 with Retry-After at once, the message kept", async () => {
    useDeployments({ MODEL_TIMEOUT_MS: "5000" });
    kit.mock.enqueueFaults({ status: 429, retryAfter: 600 });
    const req = request("are you there?");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r-429" });
    const err = (await turn.opened().catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(429);
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(590);
    expect(err.message).toMatch(/again in about \d+ s/);
    const [user, reply] = await rows(kit, req.id);
    expect(user!.status).toBe("complete");
    expect(reply!.status).toBe("error");
  });

  it("no free slot within the queue's maximum wait is a 503 with Retry-After, the message kept", async () => {
    useDeployments({ MODEL_QUEUE_MAX_WAIT_MS: "300" }, { maxConcurrency: 1 });
    const busy = await runChatTurn(kit.alice, request("[[mock:delay-token=100]] a long answer that holds the only slot for a while"), { requestId: "r-busy" });
    await busy.opened();
    const reader = busy.chunks().getReader();
    await reader.read();
    const req = request("my turn?");
    const turn = await runChatTurn(kit.frank, req, { requestId: "r-queued" });
    const err = (await turn.opened().catch((e: unknown) => e)) as AppError;
    expect(err.status).toBe(503);
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    expect(err.message).toMatch(/slots? .*busy/i);
    expect((await rows(kit, req.id))[0]!.status).toBe("complete");
    await reader.cancel();
    await busy.done;
  });
});
