/**
 * What the chat-turn tests share: a test database with seeded principals, the mock model server,
 * environment switching, and helpers to build a request and read a turn to its end.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { UIMessageChunk } from "ai";
import { startMockOpenAI, type MockOpenAIServer } from "@/e2e/fixtures/mock-openai/server";
import { resetEnvCache } from "@/lib/config/env";
import { createTestDatabase, openRows, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import type { ChatTurn } from "./turn";
import type { ChatRequest } from "./schema";

export interface TurnTestKit {
  t: TestDatabase;
  alice: Principal;
  frank: Principal;
  mock: MockOpenAIServer;
}

/** Registers the suite's hooks; the returned object is filled in before the first test. */
export function setUpTurnTests(): TurnTestKit {
  const kit = {} as TurnTestKit;
  const saved = { ...process.env };
  beforeAll(async () => {
    kit.t = await createTestDatabase();
    kit.alice = principalFor(await seededUser(kit.t.db, "alice@acme.test"));
    kit.frank = principalFor(await seededUser(kit.t.db, "frank@globex.test"));
    kit.mock = await startMockOpenAI({ port: 0 });
  });
  afterAll(async () => {
    await kit.mock?.close();
    await kit.t?.dispose();
  });
  beforeEach(() => {
    useEnv({});
    kit.mock.reset();
  });
  afterEach(() => {
    process.env = { ...saved };
    resetEnvCache();
  });
  return kit;
}

export function useEnv(vars: Record<string, string | undefined>): void {
  for (const k of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL_SMALL", "MODEL_LARGE"]) delete process.env[k];
  Object.assign(process.env, { OFFLINE_MODEL_DELAY_MS: "0", MODEL_MAX_RETRIES: "0" }, vars);
  resetEnvCache();
}

export function useMock(kit: TurnTestKit, vars: Record<string, string> = {}): void {
  useEnv({ OPENAI_BASE_URL: kit.mock.url, MODEL_LARGE: "mock-large", MODEL_SMALL: "mock-small", ...vars });
}

let n = 0;
export function request(text: string, over: Partial<{ id: string; messageId: string }> = {}): ChatRequest {
  n++;
  return {
    id: over.id ?? `turn-conv-${n}-${Date.now()}`,
    message: { id: over.messageId ?? `turn-msg-${n}-${Date.now()}`, role: "user", parts: [{ type: "text", text }] },
  };
}

export async function drain(turn: ChatTurn): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  const reader = turn.chunks().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value as UIMessageChunk);
  }
}

export const textOf = (chunks: UIMessageChunk[]): string => chunks.map((c) => (c.type === "text-delta" ? c.delta : "")).join("");

/** The conversation's stored messages, their parts opened (they are sealed at rest). */
export async function rows(kit: TurnTestKit, conversationId: string) {
  return openRows("Message", await kit.t.db.prisma.message.findMany({ where: { conversationId }, orderBy: { createdAt: "asc" } }));
}
