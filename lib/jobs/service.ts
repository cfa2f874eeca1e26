import type { AuditEventInput } from "@/lib/audit-record/events";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { isPlausibleId } from "./ids";
import { runJob } from "./run-job";
import type { JobAdapter, JobDefinition, JobOwner, JobView } from "./types";

/**
 * The one small interface to background work: enqueue a job for an owner, read its status, and
 * (in handlers) report progress. Which adapter carries the jobs is chosen once, at start-up.
 */
export class JobService {
  private readonly definitions: ReadonlyMap<string, JobDefinition>;
  private started: Promise<void> | null = null;

  constructor(
    readonly adapter: JobAdapter,
    definitions: readonly JobDefinition[],
    private readonly opts: { worker?: boolean } = {},
  ) {
    this.definitions = new Map(definitions.map((d) => [d.kind, d as JobDefinition]));
  }

  /** Starts this process's worker (idempotent; nothing for a service made with worker: false, which only enqueues). */
  start(): Promise<void> {
    if (this.opts.worker === false) return Promise.resolve();
    this.started ??= this.adapter.start((jobId, owner) => runJob(this.definitions, jobId, owner).then(() => undefined));
    return this.started;
  }

  /**
   * Queues a job: its row first (queued, with `audit`'s event in the same transaction), then the
   * adapter. If the adapter refuses (Redis down), the row is marked failed and the caller gets a 503.
   */
  async enqueue(kind: string, payload: unknown, owner: JobOwner, opts: { audit?: (jobId: string) => AuditEventInput } = {}): Promise<{ id: string }> {
    const def = this.definitions.get(kind);
    if (!def) throw new AppError("bad_request", `Unknown job kind "${kind}".`);
    const parsed = def.payload.safeParse(payload);
    if (!parsed.success) throw AppError.fromZod(parsed.error);
    const repo = db.forOwner(owner).jobs;
    const job = await repo.create({ kind, payload: (parsed.data ?? {}) as object, startedById: owner.startedById }, opts.audit);
    await this.start();
    try {
      await this.adapter.submit(job.id, owner);
    } catch (err) {
      await repo.fail(job.id, "The job queue could not be reached.");
      throw new AppError("unavailable", "Background jobs are unavailable right now (the job queue cannot be reached). Retry in a moment.", {
        cause: err,
        retryAfterSeconds: 5,
      });
    }
    return { id: job.id };
  }

  /** A job's status, for its owner or whoever started it; anyone else gets 404. */
  async get(id: string, principal: Principal): Promise<JobView> {
    const job = isPlausibleId(id) ? await db.for(principal).jobs.getVisible(id) : null;
    if (!job) throw AppError.notFound("Job");
    const extra = (await this.definitions.get(job.kind)?.describe?.(job)) ?? {};
    // Only the person the job is about sees its kind's extras (an export's download link).
    const shown = job.userId === principal.userId ? extra : {};
    return {
      id: job.id,
      kind: job.kind,
      status: job.status,
      progress: job.progress,
      ...(job.status === "failed" && job.error ? { error: job.error } : {}),
      ...shown,
    };
  }

  idle(): Promise<void> {
    return this.adapter.idle();
  }

  close(): Promise<void> {
    return this.adapter.close();
  }
}
