import { env } from "@/lib/config/env";
import { orgsWithAuditEvents } from "@/lib/db/audit-chain";
import { logger } from "@/lib/observability/logger";
import { checkpointOrg } from "./checkpoints";
import { sealAllPendingQuietly } from "./seal";
import { flushAuditSteps } from "./step-writer";
import { auditSinkSettled, installAuditTurnSink } from "./turn-sink";

/**
 * The audit trail's background work in a server process: chat-turn steps are subscribed to,
 * pending events are sealed every AUDIT_SEAL_INTERVAL_MS, and chain heads are signed every
 * AUDIT_CHECKPOINT_INTERVAL_S. Several instances may run this at once (sealing takes a per-org
 * advisory lock).
 */
const holder = globalThis as typeof globalThis & { __enclaveAuditTimers?: NodeJS.Timeout[] };

export function startAuditMaintenance(): void {
  installAuditTurnSink();
  if (holder.__enclaveAuditTimers) return;
  const e = env();
  let sealing = false;
  const seal = setInterval(() => {
    if (sealing) return;
    sealing = true;
    void sealAllPendingQuietly().finally(() => (sealing = false));
  }, e.AUDIT_SEAL_INTERVAL_MS);
  let signing = false;
  const sign = setInterval(() => {
    if (signing) return;
    signing = true;
    void checkpointAll().finally(() => (signing = false));
  }, e.AUDIT_CHECKPOINT_INTERVAL_S * 1000);
  seal.unref();
  sign.unref();
  holder.__enclaveAuditTimers = [seal, sign];
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      void drainAudit().finally(() => process.exit(0));
    });
  }
}

export async function checkpointAll(): Promise<void> {
  try {
    for (const orgId of await orgsWithAuditEvents()) await checkpointOrg(orgId);
  } catch (err) {
    logger.error({ err }, "could not sign audit checkpoints; will retry");
  }
}

/** Writes what is queued and seals it (shutdown, tests, before export or verification). */
export async function drainAudit(): Promise<void> {
  await auditSinkSettled();
  await flushAuditSteps();
  await sealAllPendingQuietly();
}
