import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BackLink } from "@/components/ui/back-link";
import { requirePrincipal } from "@/lib/auth/require";
import { isAppError } from "@/lib/errors/app-error";
import { listConversationsOf } from "@/lib/oversight/team-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Team member" };

const when = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";

export default async function MemberPage({ params }: { params: Promise<{ userId: string }> }) {
  const p = await requirePrincipal();
  const { userId } = await params;
  let found;
  try {
    found = await listConversationsOf(p, userId);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  const { owner, conversations } = found;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-3xl space-y-4 px-4 py-6">
        <BackLink href="/team">Team conversations</BackLink>
        <div>
          <h1 className="text-xl font-semibold">{owner.name}</h1>
          <p className="text-sm text-muted">{owner.email}</p>
        </div>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          Titles and content stay hidden until you give a reason to open a conversation.
        </p>
        {conversations.length === 0 ? (
          <p className="rounded-lg border border-dashed border-neutral-300 p-6 text-center text-sm text-muted dark:border-neutral-700">
            {owner.name} has no conversations.
          </p>
        ) : (
          <ul className="divide-y divide-neutral-200 rounded-lg border border-neutral-200 dark:divide-neutral-800 dark:border-neutral-800" data-testid="member-conversations">
            {conversations.map((c) => (
              <li key={c.id} className="flex items-center justify-between gap-3 px-4 py-3 text-sm">
                <span>
                  Started {when(c.createdAt)} · last active {when(c.updatedAt)} · {c.messageCount} message{c.messageCount === 1 ? "" : "s"}
                </span>
                <Link
                  href={`/team/${owner.id}/${c.id}`}
                  className="shrink-0 rounded-md border border-neutral-300 px-3 py-1 font-medium dark:border-neutral-700"
                  aria-label={`Open conversation started ${when(c.createdAt)}`}
                >
                  Open…
                </Link>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
