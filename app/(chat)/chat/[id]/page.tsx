import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ChatView } from "@/components/chat/chat-view";
import { requirePrincipal } from "@/lib/auth/require";
import { env } from "@/lib/config/env";
import { getConversationWithMessages } from "@/lib/conversations/queries";
import { isAppError } from "@/lib/errors/app-error";
import { describeModels } from "@/lib/models/registry";

export const dynamic = "force-dynamic";

async function load(id: string) {
  const p = await requirePrincipal();
  try {
    return await getConversationWithMessages(p, id);
  } catch (e) {
    // Someone else's conversation and a missing one look the same: not found.
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { conversation } = await load((await params).id);
  return { title: conversation.title };
}

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { messages } = await load(id);
  return (
    <ChatView
      key={id}
      id={id}
      initialMessages={messages}
      isNew={false}
      modelLabel={describeModels().label}
      maxMessageBytes={env().MAX_MESSAGE_BYTES}
    />
  );
}
