import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePrincipal } from "@/lib/auth/require";
import { canViewOthers, listViewablePeople } from "@/lib/oversight/team-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Team conversations" };

export default async function TeamPage() {
  const p = await requirePrincipal();
  if (!canViewOthers(p)) notFound();
  const { scope, people } = await listViewablePeople(p);
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-3xl space-y-4 px-4 py-6">
        <div>
          <h1 className="text-xl font-semibold">Team conversations</h1>
          <p className="mt-1 text-sm text-neutral-600 dark:text-neutral-400">
            {scope === "org" ? "Everyone in your organization." : "Members of the teams you manage."} You can open a conversation
            read-only after saying why; each view is recorded and shown to its owner.
          </p>
        </div>
        {people.length === 0 ? (
          <p className="rounded-lg border border-dashed border-neutral-300 p-6 text-center text-sm text-muted dark:border-neutral-700">
            Nobody here yet.
          </p>
        ) : (
          <ul className="divide-y divide-neutral-200 rounded-lg border border-neutral-200 dark:divide-neutral-800 dark:border-neutral-800">
            {people.map((u) => (
              <li key={u.id}>
                <Link href={`/team/${u.id}`} className="flex items-center justify-between gap-3 px-4 py-3 hover:bg-neutral-50 dark:hover:bg-neutral-900">
                  <span>
                    <span className="font-medium">{u.name}</span> <span className="text-sm text-muted">{u.email}</span>
                  </span>
                  <span className="shrink-0 text-xs text-muted">
                    {u.teamName ?? "No team"} · {u.conversationCount} conversation{u.conversationCount === 1 ? "" : "s"}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
