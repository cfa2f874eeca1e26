import { env } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";
import { bullmqAdapter } from "./bullmq";
import { inProcessAdapter } from "./in-process";
import { JOB_DEFINITIONS } from "./kinds";
import { JobService } from "./service";

export { JobService } from "./service";
export { defineJob, type JobAdapter, type JobContext, type JobDefinition, type JobOwner, type JobView } from "./types";
export { inProcessAdapter } from "./in-process";
export { bullmqAdapter } from "./bullmq";

// One service per process, shared by Next's module graphs through globalThis.
const holder = globalThis as typeof globalThis & { __enclaveJobs?: JobService };

function fromEnv(): JobService {
  const e = env();
  const kinds = JOB_DEFINITIONS.map((d) => d.kind);
  const adapter = e.REDIS_URL ? bullmqAdapter({ url: e.REDIS_URL }) : inProcessAdapter({ kinds });
  logger.info({ component: "jobs", adapter: adapter.name }, `background jobs: ${adapter.name === "bullmq" ? "BullMQ on Redis" : "in-process"}`);
  return new JobService(adapter, JOB_DEFINITIONS);
}

/** The process's job service: BullMQ when REDIS_URL is set, in-process otherwise. */
export function jobs(): JobService {
  holder.__enclaveJobs ??= fromEnv();
  return holder.__enclaveJobs;
}

/** At start-up: this instance's worker starts taking jobs (and resumes what a stopped process left). */
export async function startJobs(): Promise<void> {
  await jobs().start();
}

/** Tests install their own service (adapter and kinds), or remove it. */
export function installJobServiceForTests(service: JobService | undefined): void {
  holder.__enclaveJobs = service;
}
