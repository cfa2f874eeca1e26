import type { Metadata } from "next";
import { randomUUID } from "node:crypto";
import { ChatView } from "@/components/chat/chat-view";
import { requirePrincipal } from "@/lib/auth/require";
import { env } from "@/lib/config/env";
import { describeModels } from "@/lib/models/registry";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New chat" };

export default async function NewChatPage() {
  await requirePrincipal();
  // The id is minted here; the conversation exists once its first message is stored.
  const id = randomUUID();
  return (
    <ChatView key={id} id={id} initialMessages={[]} isNew modelLabel={describeModels().label} maxMessageBytes={env().MAX_MESSAGE_BYTES} />
  );
}
