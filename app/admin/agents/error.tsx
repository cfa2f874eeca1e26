"use client";

import { buttonClass, ErrorAlert, PageHeader } from "@/components/admin/ui";

/** The agents could not be read (e.g. the database is unavailable): say so, offer a retry. */
export default function AgentsError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div>
      <PageHeader title="Agents" description="The orchestrator, the specialists and the aggregator." />
      <div className="space-y-3">
        <ErrorAlert>The agents could not be loaded. Nothing was changed. Retry in a moment.</ErrorAlert>
        <button type="button" className={buttonClass.secondary} onClick={reset}>
          Retry
        </button>
      </div>
    </div>
  );
}
