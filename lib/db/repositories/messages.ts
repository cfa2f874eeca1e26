import type { Principal } from "@/lib/principal";
import { AppError } from "@/lib/errors/app-error";
import type { Prisma } from "../generated/client";
import { getPrisma } from "../database";
import { ownerScope } from "../scope";
import { isForeignKeyViolation, isUniqueViolation } from "../prisma-errors";
import type { MessageStatus, StoredMessage } from "../types";

const select = {
  id: true,
  conversationId: true,
  role: true,
  parts: true,
  status: true,
  model: true,
  inputTokens: true,
  outputTokens: true,
  error: true,
  createdAt: true,
} as const;

type Row = Prisma.MessageGetPayload<{ select: typeof select }>;

function toStored(r: Row): StoredMessage {
  return { ...r, parts: Array.isArray(r.parts) ? (r.parts as unknown[]) : [] };
}

export interface StartTurnInput {
  conversationId: string;
  /** Set when the conversation does not exist yet. */
  newConversationTitle: string | null;
  /** The user's new message; null when retrying an already stored one. */
  userMessage: { id: string; parts: unknown[]; createdAt: Date } | null;
  /** On retry, assistant replies stored after this time are superseded and removed. */
  supersedeAssistantAfter: Date | null;
  assistantMessage: { id: string; model: string; createdAt: Date };
}

export interface FinishMessageInput {
  parts: unknown[];
  status: Exclude<MessageStatus, "streaming">;
  inputTokens?: number | null;
  outputTokens?: number | null;
  error?: string | null;
}

export function messageRepository(p: Principal) {
  const scope = ownerScope(p);
  return {
    /** The last `limit` messages of one of my conversations, oldest first. */
    async listForConversation(conversationId: string, { limit }: { limit: number }): Promise<StoredMessage[]> {
      const prisma = await getPrisma();
      const rows = await prisma.message.findMany({
        where: { conversationId, ...scope },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: limit,
        select,
      });
      return rows.reverse().map(toStored);
    },

    /**
     * Everything a turn writes before the model is called, in one transaction: the conversation
     * (if new), the user's message, and a `streaming` placeholder for the reply, so that a crash
     * mid-turn leaves a visible, retryable state rather than nothing.
     */
    async startTurn(input: StartTurnInput): Promise<void> {
      const prisma = await getPrisma();
      const ops: Prisma.PrismaPromise<unknown>[] = [];
      const now = input.assistantMessage.createdAt;
      if (input.newConversationTitle !== null) {
        ops.push(
          prisma.conversation.create({
            data: { id: input.conversationId, ...scope, title: input.newConversationTitle, createdAt: now, updatedAt: now },
          }),
        );
      } else {
        ops.push(prisma.conversation.updateMany({ where: { id: input.conversationId, ...scope }, data: { updatedAt: now } }));
      }
      if (input.supersedeAssistantAfter) {
        ops.push(
          prisma.message.deleteMany({
            where: {
              conversationId: input.conversationId,
              ...scope,
              role: "assistant",
              createdAt: { gt: input.supersedeAssistantAfter },
            },
          }),
        );
      }
      if (input.userMessage) {
        ops.push(
          prisma.message.create({
            data: {
              id: input.userMessage.id,
              conversationId: input.conversationId,
              ...scope,
              role: "user",
              parts: input.userMessage.parts as Prisma.InputJsonValue,
              status: "complete",
              createdAt: input.userMessage.createdAt,
            },
            select: { id: true },
          }),
        );
      }
      ops.push(
        prisma.message.create({
          data: {
            id: input.assistantMessage.id,
            conversationId: input.conversationId,
            ...scope,
            role: "assistant",
            parts: [],
            status: "streaming",
            model: input.assistantMessage.model,
            createdAt: input.assistantMessage.createdAt,
          },
          select: { id: true },
        }),
      );
      try {
        await prisma.$transaction(ops);
      } catch (e) {
        // A conversation id taken by someone else, or deleted meanwhile, is simply not found;
        // the answer must not reveal which.
        if (input.newConversationTitle !== null && isUniqueViolation(e) && !(await this.ownsConversation(input.conversationId))) {
          throw AppError.notFound("Conversation");
        }
        if (isForeignKeyViolation(e)) throw AppError.notFound("Conversation");
        if (isUniqueViolation(e)) {
          throw new AppError("conflict", "That message id is already in use; send the message with a new id.", {
            fields: [{ field: "message.id", message: "already in use" }],
          });
        }
        throw e;
      }
    },

    async ownsConversation(conversationId: string): Promise<boolean> {
      const prisma = await getPrisma();
      return (await prisma.conversation.count({ where: { id: conversationId, ...scope } })) > 0;
    },

    /** Final state of an assistant reply. Only ever moves a message of mine out of `streaming`. */
    async finish(messageId: string, input: FinishMessageInput): Promise<boolean> {
      const prisma = await getPrisma();
      const { count } = await prisma.message.updateMany({
        where: { id: messageId, ...scope, status: "streaming" },
        data: {
          parts: input.parts as Prisma.InputJsonValue,
          status: input.status,
          inputTokens: input.inputTokens ?? null,
          outputTokens: input.outputTokens ?? null,
          error: input.error ?? null,
        },
      });
      return count > 0;
    },
  };
}

export type MessageRepository = ReturnType<typeof messageRepository>;
