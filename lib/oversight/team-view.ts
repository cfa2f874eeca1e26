import { z } from "zod";
import { conversationViewScope, type ViewScope } from "@/lib/authz";
import { ClientId } from "@/lib/chat/schema";
import { toUIMessage, type EnclaveUIMessage } from "@/lib/chat/ui-messages";
import { db } from "@/lib/db";
import type { RecordedView } from "@/lib/db/repositories/team-view";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";

/**
 * Managers (their teams) and admins (the org) may read someone else's conversation only after
 * giving a justification; each such view is recorded, audited, and shown to the owner. There is
 * no blanket content access for anyone.
 */
export const VIEW_WINDOW_MINUTES = 30;

export const OpenViewInput = z.object({
  ownerId: z.string().min(1).max(64),
  conversationId: ClientId,
  justification: z
    .string()
    .trim()
    .min(15, "Say why you need to read it, in at least 15 characters")
    .max(1000, "At most 1000 characters"),
});

function scopeOf(p: Principal): Exclude<ViewScope, null> {
  const scope = conversationViewScope(p);
  if (!scope) throw AppError.notFound("Page");
  return scope;
}

export function canViewOthers(p: Principal): boolean {
  return conversationViewScope(p) !== null;
}

export async function listViewablePeople(p: Principal) {
  const scope = scopeOf(p);
  return { scope: scope.kind, people: await db.for(p).teamView.listPeople(scope) };
}

export async function listConversationsOf(p: Principal, ownerId: string) {
  const found = await db.for(p).teamView.listConversationsOf(scopeOf(p), ownerId);
  if (!found) throw AppError.notFound("Person");
  return found;
}

export async function openWithJustification(
  p: Principal,
  input: z.infer<typeof OpenViewInput>,
  opts: { requestId?: string; now?: Date } = {},
): Promise<{ viewId: string }> {
  const now = opts.now ?? new Date();
  const viewId = await db.for(p).teamView.recordView({
    scope: scopeOf(p),
    ownerId: input.ownerId,
    conversationId: input.conversationId,
    justification: input.justification,
    expiresAt: new Date(now.getTime() + VIEW_WINDOW_MINUTES * 60_000),
    requestId: opts.requestId,
  });
  if (!viewId) throw AppError.notFound("Conversation");
  return { viewId };
}

export async function readView(
  p: Principal,
  viewId: string,
): Promise<{ view: RecordedView; owner: { id: string; name: string; email: string }; title: string | null; messages: EnclaveUIMessage[] }> {
  const found = await db.for(p).teamView.readView(scopeOf(p), viewId);
  if (!found) throw AppError.notFound("View");
  const now = Date.now();
  return {
    view: found.view,
    owner: found.owner,
    title: found.conversation?.title ?? null,
    messages: found.conversation ? found.messages.map((m) => toUIMessage(m, now)) : [],
  };
}

export async function viewsOfMyConversations(p: Principal): Promise<RecordedView[]> {
  return db.for(p).teamView.viewsOfMyConversations();
}
