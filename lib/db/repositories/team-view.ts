import type { ViewScope } from "@/lib/authz";
import type { Principal } from "@/lib/principal";
import type { Prisma } from "../generated/client";
import { actorOf, writeAudit } from "../audit";
import { getPrisma } from "../database";
import type { StoredMessage } from "../types";
import { messageSelect, toStoredMessage } from "./messages";
import { cipherFor, withCipher } from "../keyring";
import { seal } from "../sealed-columns";
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";

/** A recorded view's title and justification, decrypted (both sealed for the conversation's owner). */
function openView<T extends { ownerId: string; conversationTitle: string; justification: string }>(c: ContentCipher, v: T): T {
  return { ...v, conversationTitle: c.open(v.conversationTitle, seal.viewTitle(v.ownerId)), justification: c.open(v.justification, seal.justification(v.ownerId)) };
}

/**
 * Justified, read-only looks at other people's conversations. Whose is decided by lib/authz
 * (a ViewScope: the teams one manages, or the whole org); that scope is put into every WHERE
 * clause here, so a person outside it is simply not found. Nothing here ever returns a
 * conversation's content without a recorded, unexpired view by this principal.
 */
export interface ViewablePerson {
  id: string;
  name: string;
  email: string;
  teamName: string | null;
  conversationCount: number;
}

export interface ConversationStub {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  messageCount: number;
}

export interface RecordedView {
  id: string;
  viewer: { id: string; name: string; email: string };
  conversationId: string;
  conversationTitle: string;
  justification: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ViewedConversation {
  view: RecordedView;
  owner: { id: string; name: string; email: string };
  conversation: { id: string; title: string; createdAt: Date } | null;
  messages: StoredMessage[];
}

function peopleInScope(p: Principal, scope: Exclude<ViewScope, null>): Prisma.UserWhereInput {
  return {
    orgId: p.orgId,
    id: { not: p.userId },
    ...(scope.kind === "teams" ? { teamId: { in: [...scope.teamIds] } } : {}),
  };
}

const viewSelect = {
  id: true,
  viewerId: true,
  conversationId: true,
  conversationTitle: true,
  justification: true,
  createdAt: true,
  expiresAt: true,
} as const;

export function teamViewRepository(p: Principal) {
  return {
    async listPeople(scope: Exclude<ViewScope, null>): Promise<ViewablePerson[]> {
      const prisma = await getPrisma();
      const rows = await prisma.user.findMany({
        where: peopleInScope(p, scope),
        orderBy: [{ name: "asc" }],
        take: 500,
        select: { id: true, name: true, email: true, team: { select: { name: true } }, _count: { select: { conversations: true } } },
      });
      return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, teamName: r.team?.name ?? null, conversationCount: r._count.conversations }));
    },

    /** Someone's conversations as metadata only: no titles, no content, until a view is justified. */
    async listConversationsOf(
      scope: Exclude<ViewScope, null>,
      ownerId: string,
    ): Promise<{ owner: { id: string; name: string; email: string }; conversations: ConversationStub[] } | null> {
      const prisma = await getPrisma();
      const owner = await prisma.user.findFirst({
        where: { ...peopleInScope(p, scope), id: ownerId },
        select: {
          id: true,
          name: true,
          email: true,
          conversations: {
            orderBy: [{ updatedAt: "desc" }],
            take: 200,
            select: { id: true, createdAt: true, updatedAt: true, _count: { select: { messages: true } } },
          },
        },
      });
      if (!owner || owner.id === p.userId) return null;
      return {
        owner: { id: owner.id, name: owner.name, email: owner.email },
        conversations: owner.conversations.map((c) => ({ id: c.id, createdAt: c.createdAt, updatedAt: c.updatedAt, messageCount: c._count.messages })),
      };
    },

    /**
     * Records a justified view (and its audit event, in one transaction) and returns its id.
     * Null when the conversation is not one this principal may open.
     */
    async recordView(input: {
      scope: Exclude<ViewScope, null>;
      ownerId: string;
      conversationId: string;
      justification: string;
      expiresAt: Date;
      requestId?: string;
    }): Promise<string | null> {
      const prisma = await getPrisma();
      // Before the transaction: the embedded database has one connection, which it holds.
      const cipher = await cipherFor(p.orgId);
      return prisma.$transaction(async (tx) => {
        const conv = await tx.conversation.findFirst({
          where: { id: input.conversationId, orgId: p.orgId, userId: input.ownerId, user: peopleInScope(p, input.scope) },
          select: { id: true, title: true, userId: true },
        });
        if (!conv || conv.userId === p.userId) return null;
        const view = await tx.conversationView.create({
          data: {
            orgId: p.orgId,
            viewerId: p.userId,
            ownerId: conv.userId,
            conversationId: conv.id,
            // Re-sealed for this record: the title as it was when the view was recorded.
            conversationTitle: cipher.seal(cipher.open(conv.title, seal.title(conv.userId)), seal.viewTitle(conv.userId)),
            justification: cipher.seal(input.justification, seal.justification(conv.userId)),
            expiresAt: input.expiresAt,
          },
          select: { id: true },
        });
        await writeAudit(tx, {
          ...actorOf(p, input.requestId),
          action: "conversation.viewed",
          target: { type: "conversation", id: conv.id },
          // The justification is what the viewer wrote: it goes in `content` (encrypted), not `data`.
          content: { justification: input.justification },
          data: { ownerId: conv.userId, viewId: view.id, scope: input.scope.kind },
        });
        return view.id;
      });
    },

    /**
     * The conversation behind one of MY unexpired views, if its owner is still within my scope
     * (a manager moved off the team loses access at once).
     */
    async readView(scope: Exclude<ViewScope, null>, viewId: string, now = new Date()): Promise<ViewedConversation | null> {
      const prisma = await getPrisma();
      const view = await prisma.conversationView.findFirst({
        where: { id: viewId, orgId: p.orgId, viewerId: p.userId, expiresAt: { gt: now } },
        select: { ...viewSelect, ownerId: true },
      });
      if (!view) return null;
      const owner = await prisma.user.findFirst({
        where: { ...peopleInScope(p, scope), id: view.ownerId },
        select: { id: true, name: true, email: true },
      });
      if (!owner) return null;
      const [conversation, messages, viewer] = await Promise.all([
        prisma.conversation.findFirst({
          where: { id: view.conversationId, orgId: p.orgId, userId: owner.id },
          select: { id: true, title: true, createdAt: true },
        }),
        prisma.message.findMany({
          where: { conversationId: view.conversationId, orgId: p.orgId, userId: owner.id },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: 1000,
          select: messageSelect,
        }),
        prisma.user.findUniqueOrThrow({ where: { id: p.userId }, select: { id: true, name: true, email: true } }),
      ]);
      return withCipher(p.orgId, (c) => ({
        view: { ...openView(c, view), viewer },
        owner,
        conversation: conversation ? { ...conversation, title: c.open(conversation.title, seal.title(owner.id)) } : null,
        messages: messages.map((m) => toStoredMessage(m, c, owner.id)),
      }));
    },

    /** Who looked at MY conversations, newest first: the owner's side of the record. */
    async viewsOfMyConversations(limit = 100): Promise<RecordedView[]> {
      const prisma = await getPrisma();
      const rows = await prisma.conversationView.findMany({
        where: { orgId: p.orgId, ownerId: p.userId },
        orderBy: [{ createdAt: "desc" }],
        take: limit,
        select: viewSelect,
      });
      const viewerIds = [...new Set(rows.map((r) => r.viewerId))];
      const viewers = await prisma.user.findMany({
        where: { orgId: p.orgId, id: { in: viewerIds } },
        select: { id: true, name: true, email: true },
      });
      const byId = new Map(viewers.map((v) => [v.id, v]));
      return withCipher(p.orgId, (c) =>
        rows.map((r) => ({
          ...openView(c, { ...r, ownerId: p.userId }),
          viewer: byId.get(r.viewerId) ?? { id: r.viewerId, name: "(removed user)", email: "" },
        })),
      );
    },
  };
}
