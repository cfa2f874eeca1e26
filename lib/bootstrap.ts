import { env } from "@/lib/config/env";
import { getDatabase } from "@/lib/db";
import { checkDeployments, describeModels } from "@/lib/models/registry";
import { installSharedState } from "@/lib/models/shared-state";
import { isDevLoginEnabled, isOidcConfigured } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";
import { authSecret } from "@/lib/auth/secret";
import { startAuditMaintenance } from "@/lib/audit/maintenance";
import { installTurnMetrics } from "@/lib/observability/turn-metrics";
import { installUsageRecorder } from "@/lib/usage/recorder";
import { signer } from "@/lib/audit/checkpoints";
import { checkAuditRole } from "@/lib/db/grants";
import { startReplyRecovery } from "@/lib/chat/recovery";
import { unsafeApplyOperatorDomains } from "@/lib/db/org-domains";
import { startJobs } from "@/lib/jobs";
import { startAdmission } from "@/lib/limits/admission";
import { startRetentionSchedule } from "@/lib/privacy/retention";

export async function bootstrap(): Promise<void> {
  try {
    const e = env();
    authSecret();
    // Every misconfigured model deployment is reported (its breaker starts open); only a tier
    // with no usable deployment at all stops start-up.
    checkDeployments(e);
    await installSharedState(e);
    await startAdmission();
    const db = await getDatabase();
    await checkAuditRole(db, { strict: e.AUDIT_STRICT });
    if (e.ENCLAVE_ORG_DOMAINS) {
      const applied = await unsafeApplyOperatorDomains(e.ENCLAVE_ORG_DOMAINS);
      if (applied.changed.length) logger.info({ orgs: applied.changed }, "ENCLAVE_ORG_DOMAINS applied");
      if (applied.unknownOrgs.length) logger.warn({ orgs: applied.unknownOrgs }, "ENCLAVE_ORG_DOMAINS names orgs that do not exist (by slug)");
    }
    signer();
    startAuditMaintenance();
    installTurnMetrics();
    // Metering listens to the same turn events (every model call → a usage row with its cost).
    installUsageRecorder();
    // After the audit sink is installed, so closing a dead turn's reply also closes its timeline.
    await startReplyRecovery();
    // This instance takes background jobs (BullMQ with REDIS_URL, else in-process, resuming what a stopped process left).
    await startJobs();
    // Conversations past their org's retention period are purged on an interval, by every instance (batches skip what another is deleting).
    startRetentionSchedule();
    const m = describeModels(e);
    logger.info(
      {
        database: db.kind,
        model: m.label,
        sso: isOidcConfigured(e),
        devLogin: isDevLoginEnabled(e),
      },
      `Enclave ready: ${db.kind === "pglite" ? "embedded PGlite database" : "PostgreSQL"}, ${m.label}` +
        `${isDevLoginEnabled(e) ? ", dev sign-in on" : ""}${isOidcConfigured(e) ? ", SSO on" : ""}`,
    );
  } catch (err) {
    // Refuse to serve rather than run half-configured (locked data dir, bad env, pending migrations).
    const message = err instanceof Error ? err.message : String(err);
    console.error(`\nEnclave cannot start: ${message}\n`);
    process.exit(1);
  }
}
