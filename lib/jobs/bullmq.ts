import { Queue, Worker, type Job } from "bullmq";
import { logger } from "@/lib/observability/logger";
import type { JobAdapter, JobOwner } from "./types";

export interface BullmqAdapterOptions {
  url: string;
  /** Namespaces every key of the queue (tests use a unique one). Default "enclave". */
  prefix?: string;
  concurrency?: number;
  /** How long a worker's lock on a job lasts without renewal; a crashed worker's job is taken over after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

interface Carried {
  jobId: string;
  owner: JobOwner;
}

const QUEUE = "enclave-jobs";
const SUBMIT_TIMEOUT_MS = 5_000;

/**
 * Jobs on Redis through BullMQ (REDIS_URL set): any instance's worker may take a job, and a job
 * whose worker died (lock not renewed) is moved back and run again by another. Redis only holds
 * {jobId, owner}; the payload and the status are on the job's row in the database. Finished jobs
 * are removed from Redis at once.
 */
export function bullmqAdapter(opts: BullmqAdapterOptions): JobAdapter & { crashForTests(): Promise<void> } {
  const connection = { url: opts.url, maxRetriesPerRequest: null, connectionName: "enclave-jobs" };
  const prefix = opts.prefix ?? "enclave";
  let queue: Queue<Carried> | null = null;
  let worker: Worker<Carried> | null = null;
  const active = new Set<Promise<void>>();

  function getQueue(): Queue<Carried> {
    if (!queue) {
      queue = new Queue<Carried>(QUEUE, { connection, prefix });
      queue.on("error", (err) => logger.warn({ err, component: "jobs" }, "job queue error (Redis)"));
    }
    return queue;
  }

  return {
    name: "bullmq",
    async submit(jobId, owner) {
      // A Redis that does not answer must not hold the request that enqueues: past the timeout
      // the caller gets its 503 (BullMQ keeps retrying the connection in the background).
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not accept the job within ${SUBMIT_TIMEOUT_MS} ms`)), SUBMIT_TIMEOUT_MS);
      });
      try {
        await Promise.race([getQueue().add("job", { jobId, owner }, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 }), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async start(run) {
      if (worker) return;
      worker = new Worker<Carried>(
        QUEUE,
        async (job: Job<Carried>) => {
          const p = run(job.data.jobId, job.data.owner);
          active.add(p);
          try {
            await p;
          } finally {
            active.delete(p);
          }
        },
        {
          connection,
          prefix,
          concurrency: opts.concurrency ?? 2,
          ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
          ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
          maxStalledCount: 2,
        },
      );
      worker.on("error", (err) => logger.warn({ err, component: "jobs" }, "job worker error (Redis)"));
      // Start-up does not wait for Redis: the worker connects (and reconnects) on its own.
      worker.waitUntilReady().catch((err: unknown) => logger.warn({ err, component: "jobs" }, "job worker could not reach Redis yet (retrying)"));
    },
    async idle() {
      await Promise.allSettled([...active]);
    },
    /** Stops the worker without finishing or releasing its jobs, as a crash would (their locks lapse). */
    async crashForTests() {
      await worker?.close(true);
      worker = null;
    },
    async close() {
      await worker?.close();
      await queue?.close();
      worker = null;
      queue = null;
    },
  };
}

/** Test cleanup: every key of a queue prefix. */
export async function obliterateQueue(opts: { url: string; prefix: string }): Promise<void> {
  const q = new Queue(QUEUE, { connection: { url: opts.url, maxRetriesPerRequest: null }, prefix: opts.prefix });
  try {
    await q.obliterate({ force: true });
  } finally {
    await q.close();
  }
}
