import { erasureJob } from "@/lib/privacy/erasure-job";
import { exportJob } from "@/lib/privacy/export-job";
import type { JobDefinition } from "./types";

/** Every kind of background job, dispatched by kind (erasure and retention join this list). */
export const JOB_DEFINITIONS: readonly JobDefinition[] = [exportJob as JobDefinition, erasureJob as JobDefinition];
