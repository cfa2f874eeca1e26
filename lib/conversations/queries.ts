import { z } from "zod";
import { plainText } from "@/lib/http/text";
import { db, type ConversationSummary, type Page } from "@/lib/db";
import { authorize } from "@/lib/authz";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { ClientId } from "@/lib/chat/schema";
import { toUIMessage, type EnclaveUIMessage } from "@/lib/chat/ui-messages";
import { env } from "@/lib/config/env";

/** Conversation use cases behind /api/conversations and the chat pages. All owner-only. */

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: plainText().max(512).optional(),
});

export const RenameSchema = z.object({
  title: plainText().trim().min(1, "the title is empty").max(200, "at most 200 characters"),
});

export interface ConversationDto {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

function dto(c: ConversationSummary): ConversationDto {
  return { id: c.id, title: c.title, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

/** A malformed id cannot name anything of mine: answer exactly as for someone else's. */
function checkedId(id: string): string {
  if (!ClientId.safeParse(id).success) throw AppError.notFound("Conversation");
  return id;
}

export async function listConversations(
  p: Principal,
  q: z.infer<typeof ListQuerySchema>,
): Promise<{ items: ConversationDto[]; nextCursor: string | null }> {
  const page: Page<ConversationSummary> = await db.for(p).conversations.list({ limit: q.limit, cursor: q.cursor });
  return { items: page.items.map(dto), nextCursor: page.nextCursor };
}

export async function getConversation(p: Principal, id: string): Promise<ConversationDto> {
  const c = await db.for(p).conversations.getById(checkedId(id));
  if (!c) throw AppError.notFound("Conversation");
  return dto(c);
}

/** Rename and delete need `conversation.write.own` (a `read` API key lacks it) and are audited. */
export async function renameConversation(
  p: Principal,
  id: string,
  title: string,
  opts: { requestId?: string } = {},
): Promise<ConversationDto> {
  authorize(p, "conversation.write.own", undefined, { reveal: true });
  const c = await db.for(p).conversations.rename(checkedId(id), title, opts);
  if (!c) throw AppError.notFound("Conversation");
  return dto(c);
}

export async function deleteConversation(p: Principal, id: string, opts: { requestId?: string } = {}): Promise<void> {
  authorize(p, "conversation.write.own", undefined, { reveal: true });
  if (!(await db.for(p).conversations.remove(checkedId(id), opts))) throw AppError.notFound("Conversation");
}

export async function getConversationWithMessages(
  p: Principal,
  id: string,
): Promise<{ conversation: ConversationDto; messages: EnclaveUIMessage[] }> {
  const scoped = db.for(p);
  const [c, messages] = await Promise.all([
    scoped.conversations.getById(checkedId(id)),
    scoped.messages.listForConversation(id, { limit: env().HISTORY_MESSAGE_LIMIT * 5 }),
  ]);
  if (!c) throw AppError.notFound("Conversation");
  const now = Date.now();
  return { conversation: dto(c), messages: messages.map((m) => toUIMessage(m, now)) };
}
