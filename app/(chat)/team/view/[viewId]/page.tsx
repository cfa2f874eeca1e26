import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { MessageItem } from "@/components/chat/message-item";
import { requirePrincipal } from "@/lib/auth/require";
import { isAppError } from "@/lib/errors/app-error";
import { readView } from "@/lib/oversight/team-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Read-only conversation" };

export default async function ViewPage({ params }: { params: Promise<{ viewId: string }> }) {
  const p = await requirePrincipal();
  const { viewId } = await params;
  let found;
  try {
    found = await readView(p, viewId);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  const { view, owner, title, messages } = found;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-3xl space-y-6 px-4 py-6">
        <div role="note" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <p className="font-medium">
            Read-only view of {owner.name}&apos;s conversation. {owner.name} can see that you opened it and why.
          </p>
          <p className="mt-1">Your reason: “{view.justification}”</p>
          <p className="mt-1 text-xs">Recorded {view.createdAt.toISOString().replace("T", " ").slice(0, 16)} UTC · expires {view.expiresAt.toISOString().replace("T", " ").slice(0, 16)} UTC</p>
        </div>
        <div className="flex items-baseline justify-between gap-3">
          <h1 className="text-xl font-semibold">{title ?? "(deleted by its owner)"}</h1>
          <Link href={`/team/${owner.id}`} className="text-sm text-muted underline-offset-2 hover:underline">
            Back
          </Link>
        </div>
        <div className="flex flex-col gap-6" data-testid="readonly-transcript">
          {messages.map((m) => (
            <MessageItem key={m.id} message={m} status={m.metadata?.status === "streaming" ? "interrupted" : (m.metadata?.status ?? "complete")} />
          ))}
          {messages.length === 0 && <p className="text-sm text-muted">No messages.</p>}
        </div>
      </div>
    </div>
  );
}
