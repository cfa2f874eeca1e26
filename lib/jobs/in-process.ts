import { unsafeListUnfinishedJobs } from "@/lib/db";
import { logger } from "@/lib/observability/logger";
import type { JobAdapter, JobOwner } from "./types";

/**
 * Jobs run in this process (no REDIS_URL): a small FIFO with a concurrency limit. A job left
 * queued or running by a process that stopped is picked up again at start-up from its row.
 * (With several instances and no Redis, each instance resumes leftovers at its own start.)
 */
export function inProcessAdapter(opts: { concurrency?: number; kinds: readonly string[]; resumeOnStart?: boolean }): JobAdapter {
  const concurrency = opts.concurrency ?? 2;
  const waiting: Array<{ jobId: string; owner: JobOwner }> = [];
  const running = new Set<Promise<void>>();
  let runner: ((jobId: string, owner: JobOwner) => Promise<void>) | null = null;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  function pump(): void {
    if (!runner || closed) return;
    while (running.size < concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      const p: Promise<void> = runner(next.jobId, next.owner)
        .catch((err: unknown) => logger.error({ err, component: "jobs", jobId: next.jobId }, "in-process job crashed"))
        .finally(() => {
          running.delete(p);
          pump();
          if (running.size === 0 && waiting.length === 0) {
            const w = idleWaiters;
            idleWaiters = [];
            for (const resolve of w) resolve();
          }
        });
      running.add(p);
    }
  }

  return {
    name: "in-process",
    async submit(jobId, owner) {
      if (closed) throw new Error("the job queue is closed");
      waiting.push({ jobId, owner });
      // Never inside the request that enqueued it: the caller gets its 202 first.
      setImmediate(pump);
    },
    async start(run) {
      if (runner) return;
      runner = run;
      if (opts.resumeOnStart !== false) {
        for (const j of await unsafeListUnfinishedJobs(opts.kinds)) {
          if (!waiting.some((w) => w.jobId === j.id)) waiting.push({ jobId: j.id, owner: { orgId: j.orgId, userId: j.userId, startedById: j.startedById } });
        }
      }
      pump();
    },
    idle() {
      if (running.size === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      await Promise.allSettled([...running]);
    },
  };
}
