import type { z } from "zod";
import type { JobOwner, JobRecord } from "@/lib/db";

export type { JobOwner, JobRecord, JobStatus } from "@/lib/db";

/** What a job's handler gets: its payload, whose job it is, and a way to report progress. */
export interface JobContext<P> {
  jobId: string;
  owner: JobOwner;
  payload: P;
  /** 0..100; stored on the job's row (rounded, only when it changes), so any instance can read it. */
  progress(percent: number): Promise<void>;
}

/** One kind of background job: its payload's schema, its handler, and what its status adds. */
export interface JobDefinition<P = unknown> {
  kind: string;
  payload: z.ZodType<P>;
  run(ctx: JobContext<P>): Promise<void>;
  /** Extra fields of GET /api/jobs/:id for this kind (an export's downloadUrl once ready). */
  describe?(job: JobRecord): Promise<Record<string, unknown>>;
}

export function defineJob<P>(def: JobDefinition<P>): JobDefinition<P> {
  return def;
}

/**
 * Where queued jobs wait and who runs them: BullMQ on Redis (any instance may pick a job up, a
 * crashed worker's job is taken over) or this process. The job's row in the database is the
 * status everyone reads; the adapter only carries {jobId, owner}, never the payload.
 */
export interface JobAdapter {
  readonly name: "bullmq" | "in-process";
  submit(jobId: string, owner: JobOwner): Promise<void>;
  /** Starts taking jobs (a worker). Idempotent. */
  start(run: (jobId: string, owner: JobOwner) => Promise<void>): Promise<void>;
  /** Resolves once no job of this adapter is running in this process (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** GET /api/jobs/:id */
export interface JobView {
  id: string;
  kind: string;
  status: "queued" | "running" | "done" | "failed";
  progress: number;
  error?: string;
  [extra: string]: unknown;
}
