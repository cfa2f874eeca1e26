"use client";

import { useEffect, useState } from "react";
import type { MyExport } from "@/lib/privacy/export";
import { InlineAlert } from "@/components/ui/inline-alert";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { formatDateTime } from "./format";
import { fetchJob, startExportJob, type JobDto } from "./memory-client";

const POLL_MS = 1000;

/** Settings → Data: export all my data as one archive, watch its progress, download it. */
export function DataPanel({ initial }: { initial: MyExport[] }) {
  const hydrated = useHydrated();
  const [job, setJob] = useState<JobDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  // The export being followed: one started here, or one still running when the page was opened.
  const [followId, setFollowId] = useState<string | null>(() => initial.find((e) => e.status === "queued" || e.status === "running")?.id ?? null);

  useEffect(() => {
    if (!followId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function tick(id: string) {
      try {
        const j = await fetchJob(id);
        if (stopped) return;
        setJob(j);
        if (j.status === "queued" || j.status === "running") timer = setTimeout(() => void tick(id), POLL_MS);
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : "Could not read the export's progress.");
      }
    }
    void tick(followId);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [followId]);

  async function start() {
    setStarting(true);
    setError(null);
    try {
      const { id } = await startExportJob();
      setJob({ id, kind: "data.export", status: "queued", progress: 0 });
      setFollowId(id);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not start the export. Retry.");
    } finally {
      setStarting(false);
    }
  }

  const busy = starting || job?.status === "queued" || job?.status === "running";
  const previous = initial.filter((e) => e.id !== job?.id && e.downloadUrl);
  return (
    <div className="space-y-6">
      <section aria-labelledby="export-heading" className="space-y-3">
        <h2 id="export-heading" className="text-base font-semibold">
          Export your data
        </h2>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          One JSON file with your conversations and their messages, your memories and preferences, your usage, and the audit events about you.
          It is prepared in the background; the download link works only for you and expires after 24 hours.
        </p>
        <button
          type="button"
          disabled={!hydrated || busy}
          onClick={() => void start()}
          className="inline-flex items-center gap-2 rounded-lg bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40 dark:bg-white dark:text-neutral-900"
        >
          {busy && <Spinner label="Exporting" />}
          Export my data
        </button>
        {error && <InlineAlert>{error}</InlineAlert>}
        {job && (
          <div data-testid="export-job" data-status={job.status} className="space-y-2 rounded-lg border border-neutral-200 p-3 text-sm dark:border-neutral-800">
            <div className="flex items-center justify-between gap-2">
              <span>
                {job.status === "queued" && "Waiting to start…"}
                {job.status === "running" && "Preparing your archive…"}
                {job.status === "done" && "Your archive is ready."}
                {job.status === "failed" && `The export failed${job.error ? `: ${job.error}` : "."} Retry.`}
              </span>
              <span aria-hidden>{job.progress}%</span>
            </div>
            <progress className="w-full" max={100} value={job.progress} aria-label="Export progress">
              {job.progress}%
            </progress>
            {job.downloadUrl && (
              <p>
                <a href={job.downloadUrl} download className="font-medium underline">
                  Download the archive
                </a>
                {job.expiresAt && <span className="text-xs text-muted"> (until {formatDateTime(job.expiresAt)})</span>}
              </p>
            )}
          </div>
        )}
      </section>
      {previous.length > 0 && (
        <section aria-labelledby="previous-exports">
          <h3 id="previous-exports" className="text-sm font-semibold">
            Earlier exports
          </h3>
          <ul className="mt-2 space-y-1 text-sm">
            {previous.map((e) => (
              <li key={e.id}>
                <a href={e.downloadUrl!} download className="underline">
                  Export of {formatDateTime(e.createdAt)}
                </a>
                {e.expiresAt && <span className="text-xs text-muted"> · available until {formatDateTime(e.expiresAt)}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
