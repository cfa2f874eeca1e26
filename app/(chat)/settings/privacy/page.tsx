import type { Metadata } from "next";
import { requirePrincipal } from "@/lib/auth/require";
import { viewsOfMyConversations } from "@/lib/oversight/team-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Privacy" };

const when = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";

export default async function PrivacyPage() {
  const p = await requirePrincipal();
  const views = await viewsOfMyConversations(p);
  return (
    <section aria-labelledby="who-viewed" className="space-y-3">
      <div>
        <h2 id="who-viewed" className="text-lg font-medium">
          Who viewed your conversations
        </h2>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          Your conversations are private. A manager of your team, or an admin, can open one read-only only after giving a
          reason. Every such view is listed here.
        </p>
      </div>
      {views.length === 0 ? (
        <p className="rounded-lg border border-dashed border-neutral-300 p-6 text-center text-sm text-muted dark:border-neutral-700">
          Nobody has viewed your conversations.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="conversation-views">
            <thead className="text-xs text-muted uppercase">
              <tr>
                <th className="py-2 pr-3 font-medium">When</th>
                <th className="py-2 pr-3 font-medium">Who</th>
                <th className="py-2 pr-3 font-medium">Conversation</th>
                <th className="py-2 font-medium">Reason they gave</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800">
              {views.map((v) => (
                <tr key={v.id} className="align-top">
                  <td className="py-2 pr-3 whitespace-nowrap">{when(v.createdAt)}</td>
                  <td className="py-2 pr-3">
                    {v.viewer.name}
                    <div className="text-xs text-muted">{v.viewer.email}</div>
                  </td>
                  <td className="py-2 pr-3">{v.conversationTitle}</td>
                  <td className="py-2">{v.justification}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
