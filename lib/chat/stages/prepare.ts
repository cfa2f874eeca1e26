import { randomUUID } from "node:crypto";
import { convertToModelMessages, type ModelMessage } from "ai";
import { env } from "@/lib/config/env";
import { db, type ScopedDb, type StoredMessage } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { getLanguageModel } from "@/lib/models/registry";
import { instanceId } from "../recovery";
import { titleFrom } from "../schema";
import { forModel } from "../ui-messages";
import type { Admitted } from "./admit";
import type { TurnContext } from "./turn-context";

export interface Prepared {
  scoped: ScopedDb;
  assistantMessageId: string;
  /** The label shown on the reply until it is known which deployment answered. */
  modelLabel: string;
  /** The answering tier's first-choice provider and model (what TTFT is labelled by). */
  provider: string;
  modelId: string;
  createdConversation: boolean;
  /** When the reply's placeholder was created (epoch ms). */
  replyCreatedAt: number;
  /** The history the model sees, ending with the user's message. */
  messages: ModelMessage[];
}

/**
 * Stage 2: the user's message is stored BEFORE any model call, with the reply's placeholder, and
 * the context is built from the server's own history. Only after this is the conversation known
 * to be the caller's; a turn refused here still closes its record, unfiled.
 */
export async function prepare(ctx: TurnContext, admitted: Admitted): Promise<Prepared> {
  try {
    const prepared = await persistAndLoad(ctx, admitted);
    ctx.emit("request_received", admitted.received);
    return prepared;
  } catch (err) {
    ctx.emitUnfiled("request_received", admitted.received);
    ctx.emitUnfiled("response_failed", {
      latencyMs: Date.now() - ctx.startedAt,
      outcome: "failure",
      data: { stage: "persist", error: err instanceof AppError ? err.code : "internal" },
    });
    throw err;
  }
}

async function persistAndLoad(ctx: TurnContext, admitted: Admitted): Promise<Prepared> {
  const { req, opts } = ctx;
  const e = env();
  const scoped = db.for(ctx.principal);
  const { label, provider, modelId } = await getLanguageModel("large");
  const assistantMessageId = randomUUID();
  const now = Date.now();
  const userMessage: StoredMessage = {
    id: req.message.id,
    conversationId: req.id,
    role: "user",
    parts: req.message.parts,
    status: "complete",
    model: null,
    inputTokens: null,
    outputTokens: null,
    error: null,
    createdAt: new Date(now),
  };
  // One statement, one round trip: the user's message is stored before any model call, and the
  // history the model sees is read from the server's own rows as they were just before it.
  const t0 = performance.now();
  const started = await scoped.messages.startTurn({
    conversationId: req.id,
    title: titleFrom(admitted.text),
    userMessage: { id: userMessage.id, parts: userMessage.parts, createdAt: userMessage.createdAt },
    assistantMessage: { id: assistantMessageId, model: label, createdAt: new Date(now + 1), requestId: opts.requestId, instanceId: instanceId() },
    historyLimit: e.HISTORY_MESSAGE_LIMIT,
  });
  opts.timing?.add("persist", performance.now() - t0);
  const { history, retriedAt } = started;

  // A retry resends a stored message: the context is what came before it, then that message as
  // stored (the replies it superseded are gone). Otherwise: the earlier messages, then this one.
  const context: StoredMessage[] = retriedAt
    ? [...history.filter((m) => m.createdAt < retriedAt), history.find((m) => m.id === req.message.id) ?? userMessage]
    : [...history, userMessage];
  const messages = await convertToModelMessages(forModel(context));
  return { scoped, assistantMessageId, modelLabel: label, provider, modelId, createdConversation: started.createdConversation, replyCreatedAt: now + 1, messages };
}
