import { env } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";
import { bullmqAdapter } from "./bullmq";
import { inProcessAdapter } from "./in-process";
import { JOB_DEFINITIONS } from "./kinds";
import { JobService } from "./service";
import type { JobAdapter } from "./types";

export { JobService } from "./service";
export { defineJob, type JobAdapter, type JobContext, type JobDefinition, type JobOwner, type JobView } from "./types";
export { inProcessAdapter } from "./in-process";
export { bullmqAdapter } from "./bullmq";

// The adapter (the queue and this process's worker) is one per process, shared by Next's module
// graphs through globalThis. The service around it is one per graph: what it throws must be the
// AppError class of the graph whose route catches it (another graph's copy is not `instanceof`).
const holder = globalThis as typeof globalThis & { __enclaveJobAdapter?: JobAdapter };
let service: JobService | undefined;

function adapterFromEnv(): JobAdapter {
  const e = env();
  const kinds = JOB_DEFINITIONS.map((d) => d.kind);
  const adapter = e.REDIS_URL ? bullmqAdapter({ url: e.REDIS_URL }) : inProcessAdapter({ kinds });
  logger.info({ component: "jobs", adapter: adapter.name }, `background jobs: ${adapter.name === "bullmq" ? "BullMQ on Redis" : "in-process"}`);
  return adapter;
}

/** The process's job service: BullMQ when REDIS_URL is set, in-process otherwise. */
export function jobs(): JobService {
  if (!service) {
    holder.__enclaveJobAdapter ??= adapterFromEnv();
    service = new JobService(holder.__enclaveJobAdapter, JOB_DEFINITIONS);
  }
  return service;
}

/** At start-up: this instance's worker starts taking jobs (and resumes what a stopped process left). */
export async function startJobs(): Promise<void> {
  await jobs().start();
}

/** Tests install their own service (adapter and kinds), or remove it. */
export function installJobServiceForTests(s: JobService | undefined): void {
  service = s;
}
