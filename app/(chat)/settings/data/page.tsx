import type { Metadata } from "next";
import { DataPanel } from "@/components/settings/data-panel";
import { ErasePanel } from "@/components/settings/erase-panel";
import { requirePrincipal } from "@/lib/auth/require";
import { listMyExports } from "@/lib/privacy/export";
import { myRetentionPolicy } from "@/lib/privacy/retention";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Your data" };

export default async function DataPage() {
  const p = await requirePrincipal();
  const [exports, retention] = await Promise.all([listMyExports(p), myRetentionPolicy(p)]);
  return (
    <div className="space-y-6">
      <DataPanel initial={exports} />
      <section aria-labelledby="retention-heading" className="space-y-1">
        <h2 id="retention-heading" className="text-base font-semibold">
          How long conversations are kept
        </h2>
        <p className="text-sm text-neutral-600 dark:text-neutral-400" data-testid="retention-policy">
          {retention.description}
        </p>
      </section>
      <ErasePanel />
    </div>
  );
}
