"use client";

import { useEffect, useState } from "react";

export interface JobProgress {
  id: string;
  kind: string;
  status: "queued" | "running" | "done" | "failed";
  progress: number;
  error?: string;
}

export type JobWatch =
  | { state: "idle" }
  | { state: "watching"; job: JobProgress | null }
  | { state: "gone" }
  | { state: "error"; message: string };

const POLL_MS = 1000;

/**
 * Follows GET /api/jobs/:id once a second until the job is done or failed. A job that answers
 * 404 is `gone`: its row went with what it erased (an account erasing itself), or it was never
 * the viewer's to see.
 */
export function useJobProgress(id: string | null): JobWatch {
  // Kept with the id it is about, so a new id reads as "watching" before its first answer.
  const [seen, setSeen] = useState<{ id: string; watch: JobWatch } | null>(null);
  useEffect(() => {
    if (!id) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const set = (watch: JobWatch) => {
      if (!stopped) setSeen({ id, watch });
    };
    async function tick(jobId: string) {
      try {
        const res = await fetch(`/api/jobs/${encodeURIComponent(jobId)}`, {
          headers: { accept: "application/json" },
          cache: "no-store",
        });
        if (res.status === 404 || res.status === 401) return set({ state: "gone" });
        if (!res.ok)
          return set({ state: "error", message: `Could not read the job's progress (HTTP ${res.status}).` });
        const job = (await res.json()) as JobProgress;
        set({ state: "watching", job });
        if (!stopped && (job.status === "queued" || job.status === "running"))
          timer = setTimeout(() => void tick(jobId), POLL_MS);
      } catch {
        set({ state: "error", message: "Could not read the job's progress: the server did not answer." });
      }
    }
    void tick(id);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [id]);
  if (!id) return { state: "idle" };
  return seen?.id === id ? seen.watch : { state: "watching", job: null };
}
