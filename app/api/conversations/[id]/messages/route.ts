import { getConversationWithMessages } from "@/lib/conversations/queries";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = withPrincipal<{ id: string }>(
  async (_req, principal, { params }) => {
    const { messages } = await getConversationWithMessages(principal, params.id);
    return json({ items: messages });
  },
  { permission: "conversation.read.own" },
);
