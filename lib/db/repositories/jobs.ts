import type { AuditEventInput } from "@/lib/audit-record/events";
import type { Principal } from "@/lib/principal";
import { writeAudit } from "../audit";
import { getPrisma } from "../database";
import type { Prisma } from "../generated/client";

/** Whose job it is: the person whose data it works on, and who started it (them, or an admin). */
export interface JobOwner {
  orgId: string;
  userId: string;
  startedById: string;
}

export type JobStatus = "queued" | "running" | "done" | "failed";

export interface JobRecord {
  id: string;
  orgId: string;
  userId: string;
  startedById: string;
  kind: string;
  status: JobStatus;
  progress: number;
  payload: unknown;
  error: string | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const select = {
  id: true,
  orgId: true,
  userId: true,
  startedById: true,
  kind: true,
  status: true,
  progress: true,
  payload: true,
  error: true,
  attempts: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
} as const satisfies Prisma.BackgroundJobSelect;

/**
 * Jobs as a person sees them: those about them and those they started, in their org. Anyone
 * else's job id matches nothing (the route answers 404).
 */
export function jobRepository(p: Principal) {
  return {
    async getVisible(id: string): Promise<JobRecord | null> {
      const prisma = await getPrisma();
      return prisma.backgroundJob.findFirst({
        where: { id, orgId: p.orgId, OR: [{ userId: p.userId }, { startedById: p.userId }] },
        select,
      });
    },
  };
}

/**
 * The job runner's side: status rows written by whichever instance runs the job. A worker knows
 * the job's owner from its payload (no session), and every update has that owner in its WHERE
 * clause, so a job can only ever change its own row.
 */
export function jobRunnerRepository(owner: Pick<JobOwner, "orgId" | "userId">) {
  const scope = { orgId: owner.orgId, userId: owner.userId };
  return {
    /** A queued job; `audit(id)` is the event recording the request, written in the same transaction. */
    async create(
      row: { kind: string; payload: Prisma.InputJsonValue; startedById: string },
      audit?: (jobId: string) => AuditEventInput,
    ): Promise<JobRecord> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const job = await tx.backgroundJob.create({ data: { ...scope, ...row }, select });
        if (audit) await writeAudit(tx, audit(job.id));
        return job;
      });
    },

    async get(id: string): Promise<JobRecord | null> {
      const prisma = await getPrisma();
      return prisma.backgroundJob.findFirst({ where: { id, ...scope }, select });
    },

    /** Running again after a crash counts as another attempt; a finished job is never restarted. */
    async start(id: string): Promise<boolean> {
      const prisma = await getPrisma();
      const { count } = await prisma.backgroundJob.updateMany({
        where: { id, ...scope, status: { in: ["queued", "running"] } },
        data: { status: "running", startedAt: new Date(), attempts: { increment: 1 }, error: null },
      });
      return count > 0;
    },

    async progress(id: string, progress: number): Promise<void> {
      const prisma = await getPrisma();
      await prisma.backgroundJob.updateMany({ where: { id, ...scope, status: "running" }, data: { progress } });
    },

    async finish(id: string): Promise<void> {
      const prisma = await getPrisma();
      await prisma.backgroundJob.updateMany({ where: { id, ...scope }, data: { status: "done", progress: 100, finishedAt: new Date(), error: null } });
    },

    async fail(id: string, error: string): Promise<void> {
      const prisma = await getPrisma();
      // Never over a job already done (a second run of the same job, e.g. two instances resuming it, cannot undo the first).
      await prisma.backgroundJob.updateMany({ where: { id, ...scope, status: { not: "done" } }, data: { status: "failed", finishedAt: new Date(), error: error.slice(0, 2000) } });
    },

    /** Back to queued (an in-process job whose process stopped, found at start-up). */
    async requeue(id: string): Promise<void> {
      const prisma = await getPrisma();
      await prisma.backgroundJob.updateMany({ where: { id, ...scope, status: "running" }, data: { status: "queued" } });
    },
  };
}

/**
 * Jobs left queued or running (any owner) of these kinds: at start-up the in-process adapter
 * picks up what a stopped process left behind. Unscoped by design: it is the runner's sweep, and
 * each job is then handled through its own owner's scope.
 */
export async function unsafeListUnfinishedJobs(kinds: readonly string[], limit = 100): Promise<JobRecord[]> {
  const prisma = await getPrisma();
  return prisma.backgroundJob.findMany({
    where: { kind: { in: [...kinds] }, status: { in: ["queued", "running"] } },
    orderBy: { createdAt: "asc" },
    take: limit,
    select,
  });
}
