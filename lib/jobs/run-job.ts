import { db } from "@/lib/db";
import { logger } from "@/lib/observability/logger";
import type { JobDefinition, JobOwner } from "./types";

/**
 * Runs one job through its row: marks it running (another attempt if a crashed worker left it
 * running), runs the handler with progress reporting, and records done or failed. A job whose
 * row is gone (its owner was erased) or already finished is skipped. Handler errors are
 * recorded on the row, never thrown: the adapters do not retry a job that failed by itself.
 */
export async function runJob(definitions: ReadonlyMap<string, JobDefinition>, jobId: string, owner: JobOwner): Promise<"done" | "failed" | "skipped"> {
  const repo = db.forOwner(owner).jobs;
  const job = await repo.get(jobId);
  if (!job) return "skipped";
  const def = definitions.get(job.kind);
  if (!def) {
    await repo.fail(jobId, `No handler for jobs of kind "${job.kind}".`);
    return "failed";
  }
  if (!(await repo.start(jobId))) return "skipped";
  const log = logger.child({ component: "jobs", jobId, kind: job.kind });
  let last = -1;
  try {
    const payload = def.payload.parse(job.payload);
    await def.run({
      jobId,
      owner: { orgId: job.orgId, userId: job.userId, startedById: job.startedById },
      payload,
      progress: async (percent) => {
        const p = Math.max(0, Math.min(99, Math.floor(percent)));
        if (p === last) return;
        last = p;
        await repo.progress(jobId, p);
      },
    });
    await repo.finish(jobId);
    return "done";
  } catch (err) {
    log.warn({ err }, "job failed");
    await repo.fail(jobId, err instanceof Error ? err.message : String(err));
    return "failed";
  }
}
