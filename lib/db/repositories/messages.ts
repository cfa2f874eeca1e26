import type { Principal } from "@/lib/principal";
import { AppError } from "@/lib/errors/app-error";
import type { Prisma } from "../generated/client";
import { getPrisma } from "../database";
import { ownerScope } from "../scope";
import { isUniqueViolation } from "../prisma-errors";
import type { AgentVersions } from "@/lib/agents/types";
import type { MessageStatus, StoredMessage } from "../types";
import { cipherFor, withCipher } from "../keyring";
import { partsText, seal } from "../sealed-columns";
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";

export const messageSelect = {
  id: true,
  conversationId: true,
  role: true,
  parts: true,
  status: true,
  model: true,
  inputTokens: true,
  outputTokens: true,
  error: true,
  deploymentId: true,
  fallback: true,
  agentVersions: true,
  createdAt: true,
} as const;

type Row = Omit<Prisma.MessageGetPayload<{ select: typeof messageSelect }>, "agentVersions"> & { agentVersions?: Prisma.JsonValue };

/** A stored row as a message, its parts decrypted (sealed for the owner `ownerId`). */
export function toStoredMessage(r: Row, cipher: ContentCipher, ownerId: string): StoredMessage {
  const { agentVersions, ...rest } = r;
  const parts = cipher.openJson(r.parts, seal.parts(ownerId));
  return {
    ...rest,
    parts: Array.isArray(parts) ? (parts as unknown[]) : [],
    // Written only by finish() from an AgentVersions value; absent on history rows read raw.
    ...(agentVersions !== undefined ? { agentVersions: agentVersions as AgentVersions | null } : {}),
  };
}

export interface StartTurnInput {
  conversationId: string;
  /** Used only if the conversation does not exist yet. */
  title: string;
  /** The user's message. If this id is already stored in the conversation, the turn is a retry. */
  userMessage: { id: string; parts: unknown[]; createdAt: Date };
  /** The `streaming` placeholder for the reply, with the turn and server process streaming it. */
  assistantMessage: { id: string; model: string; createdAt: Date; requestId?: string; instanceId?: string };
  /** How many of the conversation's latest earlier messages to hand back (0: none). */
  historyLimit?: number;
}

export interface StartedTurn {
  createdConversation: boolean;
  /** When the turn retries a stored message: that message's time (later replies were removed). */
  retriedAt: Date | null;
  /**
   * Up to `historyLimit` messages of the conversation as they were just before this turn's
   * writes, oldest first (read in the same statement, so the same snapshot). On a retry they
   * include the retried message and the replies it supersedes.
   */
  history: StoredMessage[];
}

/**
 * The history as json_agg renders it (both engines hand it over parsed): a message row whose
 * timestamp is UTC wall time without a zone, as every timestamp here is stored.
 */
type HistoryJson = Array<Omit<Row, "createdAt"> & { createdAt: string }>;

function fromHistoryJson(rows: HistoryJson, cipher: ContentCipher, ownerId: string): StoredMessage[] {
  return rows.map((r) => toStoredMessage({ ...r, createdAt: new Date(`${r.createdAt}Z`) }, cipher, ownerId));
}

/** What a reply's parts are stored as: sealed, with the blind index of their text. */
export function sealedParts(cipher: ContentCipher, ownerId: string, parts: unknown[]): { parts: string; terms: string[] } {
  return { parts: cipher.sealJson(parts, seal.parts(ownerId)), terms: cipher.indexTerms(partsText(parts)) };
}

export interface FinishMessageInput {
  parts: unknown[];
  status: Exclude<MessageStatus, "streaming">;
  /** Who actually answered: the deployment's label, its id, and whether it was a fallback. */
  model?: string;
  deploymentId?: string | null;
  fallback?: boolean;
  inputTokens?: number | null;
  outputTokens?: number | null;
  error?: string | null;
  /** Which version of each agent produced the reply (lib/agents/versions.ts). */
  agentVersions?: AgentVersions;
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
        select: messageSelect,
      });
      return withCipher(scope.orgId, (c) => rows.reverse().map((r) => toStoredMessage(r, c, scope.userId)));
    },

    /**
     * Everything a turn writes before the model is called, in ONE statement (one round trip,
     * atomic): the conversation (created, or its activity time bumped — only if it is mine), the
     * user's message (unless it is already stored: then this is a retry and the replies after it
     * are removed), and a `streaming` placeholder for the reply, so that a crash mid-turn leaves
     * a visible, retryable state. Someone else's conversation id matches no row of mine, writes
     * nothing, and answers not found, exactly like a missing one. The same statement reads the
     * history the model needs, so a turn costs one round trip before the model call.
     */
    async startTurn(input: StartTurnInput): Promise<StartedTurn> {
      const prisma = await getPrisma();
      const { conversationId: conv, userMessage: um, assistantMessage: am } = input;
      const iso = (d: Date) => d.toISOString();
      const historyLimit = Math.max(0, Math.floor(input.historyLimit ?? 0));
      const cipher = await cipherFor(scope.orgId);
      const title = cipher.seal(input.title, seal.title(scope.userId));
      const user = sealedParts(cipher, scope.userId, um.parts);
      let rows: Array<{ conversations: number; created: boolean; retriedAt: Date | null; history: HistoryJson }>;
      try {
        rows = await prisma.$queryRaw`
          WITH conv AS (
            INSERT INTO "Conversation" ("id", "orgId", "userId", "title", "createdAt", "updatedAt")
            VALUES (${conv}, ${scope.orgId}, ${scope.userId}, ${title},
                    ${iso(um.createdAt)}::timestamptz AT TIME ZONE 'UTC', ${iso(um.createdAt)}::timestamptz AT TIME ZONE 'UTC')
            ON CONFLICT ("id") DO UPDATE SET "updatedAt" = EXCLUDED."updatedAt"
              WHERE "Conversation"."orgId" = EXCLUDED."orgId" AND "Conversation"."userId" = EXCLUDED."userId"
            RETURNING "id", (xmax = 0) AS "inserted"
          ),
          retried AS (
            SELECT m."createdAt" FROM "Message" m
            WHERE m."id" = ${um.id} AND m."conversationId" = ${conv}
              AND m."orgId" = ${scope.orgId} AND m."userId" = ${scope.userId} AND m."role" = 'user'
          ),
          superseded AS (
            DELETE FROM "Message" m USING retried r, conv c
            WHERE m."conversationId" = c."id" AND m."orgId" = ${scope.orgId} AND m."userId" = ${scope.userId}
              AND m."role" = 'assistant' AND m."createdAt" > r."createdAt"
            RETURNING m."id"
          ),
          user_message AS (
            INSERT INTO "Message" ("id", "conversationId", "orgId", "userId", "role", "parts", "terms", "status", "createdAt", "updatedAt")
            SELECT ${um.id}, c."id", ${scope.orgId}, ${scope.userId}, 'user', ${JSON.stringify(user.parts)}::jsonb, ${user.terms}::text[], 'complete',
                   ${iso(um.createdAt)}::timestamptz AT TIME ZONE 'UTC', ${iso(um.createdAt)}::timestamptz AT TIME ZONE 'UTC'
            FROM conv c WHERE NOT EXISTS (SELECT 1 FROM retried)
            RETURNING "id"
          ),
          reply AS (
            INSERT INTO "Message" ("id", "conversationId", "orgId", "userId", "role", "parts", "status", "model", "requestId", "instanceId", "createdAt", "updatedAt")
            SELECT ${am.id}, c."id", ${scope.orgId}, ${scope.userId}, 'assistant', '[]'::jsonb, 'streaming', ${am.model},
                   ${am.requestId ?? null}, ${am.instanceId ?? null},
                   ${iso(am.createdAt)}::timestamptz AT TIME ZONE 'UTC', ${iso(am.createdAt)}::timestamptz AT TIME ZONE 'UTC'
            FROM conv c
            RETURNING "id"
          ),
          history AS (
            SELECT m."id", m."conversationId", m."role", m."parts", m."status", m."model",
                   m."inputTokens", m."outputTokens", m."error", m."deploymentId", m."fallback", m."createdAt"
            FROM "Message" m
            WHERE m."conversationId" = ${conv} AND m."orgId" = ${scope.orgId} AND m."userId" = ${scope.userId}
            ORDER BY m."createdAt" DESC, m."id" DESC
            LIMIT ${historyLimit}
          )
          SELECT (SELECT count(*) FROM conv)::int AS "conversations",
                 COALESCE((SELECT bool_or("inserted") FROM conv), false) AS "created",
                 (SELECT max("createdAt") FROM retried) AS "retriedAt",
                 (SELECT count(*) FROM superseded)::int AS "superseded",
                 (SELECT COALESCE(json_agg(h ORDER BY h."createdAt", h."id"), '[]'::json) FROM history h) AS "history"`;
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new AppError("conflict", "That message id is already in use; send the message with a new id.", {
            fields: [{ field: "message.id", message: "already in use" }],
          });
        }
        throw e;
      }
      const row = rows[0];
      if (!row || row.conversations === 0) throw AppError.notFound("Conversation");
      return {
        createdConversation: row.created,
        retriedAt: row.retriedAt ? new Date(row.retriedAt) : null,
        history: await withCipher(scope.orgId, (c) => fromHistoryJson(row.history, c, scope.userId)),
      };
    },

    /**
     * What a reply has streamed so far, saved while it streams, so a process that dies mid-reply
     * loses at most the last interval. Only touches a reply of mine that is still streaming.
     */
    async saveProgress(messageId: string, parts: unknown[]): Promise<void> {
      const prisma = await getPrisma();
      // Sealed, but not indexed: the blind index is computed once, when the reply finishes.
      const cipher = await cipherFor(scope.orgId);
      await prisma.message.updateMany({
        where: { id: messageId, ...scope, status: "streaming" },
        data: { parts: cipher.sealJson(parts, seal.parts(scope.userId)) },
      });
    },

    /** Final state of an assistant reply. Only ever moves a message of mine out of `streaming`. */
    async finish(messageId: string, input: FinishMessageInput): Promise<boolean> {
      const prisma = await getPrisma();
      const sealed = sealedParts(await cipherFor(scope.orgId), scope.userId, input.parts);
      const { count } = await prisma.message.updateMany({
        where: { id: messageId, ...scope, status: "streaming" },
        data: {
          ...sealed,
          status: input.status,
          inputTokens: input.inputTokens ?? null,
          outputTokens: input.outputTokens ?? null,
          error: input.error ?? null,
          ...(input.model !== undefined ? { model: input.model } : {}),
          ...(input.agentVersions !== undefined ? { agentVersions: input.agentVersions as Prisma.InputJsonValue } : {}),
          ...(input.deploymentId !== undefined ? { deploymentId: input.deploymentId, fallback: input.fallback ?? false } : {}),
        },
      });
      return count > 0;
    },
  };
}

export type MessageRepository = ReturnType<typeof messageRepository>;
