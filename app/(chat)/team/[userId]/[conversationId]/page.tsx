import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { JustificationForm } from "@/components/oversight/justification-form";
import { BackLink } from "@/components/ui/back-link";
import { requirePrincipal } from "@/lib/auth/require";
import { isAppError } from "@/lib/errors/app-error";
import { listConversationsOf } from "@/lib/oversight/team-view";
import { openConversationWithJustification } from "../../actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Open a conversation" };

export default async function JustifyPage({ params }: { params: Promise<{ userId: string; conversationId: string }> }) {
  const p = await requirePrincipal();
  const { userId, conversationId } = await params;
  let found;
  try {
    found = await listConversationsOf(p, userId);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  if (!found.conversations.some((c) => c.id === conversationId)) notFound();
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-2xl space-y-4 px-4 py-6">
        <BackLink href={`/team/${found.owner.id}`}>{found.owner.name}</BackLink>
        <h1 className="text-xl font-semibold">Open a conversation read-only</h1>
        <JustificationForm
          ownerId={found.owner.id}
          ownerName={found.owner.name}
          conversationId={conversationId}
          submit={openConversationWithJustification}
        />
      </div>
    </div>
  );
}
