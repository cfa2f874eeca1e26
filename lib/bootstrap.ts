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
import { unsafeVerifyMasterKey } from "@/lib/db/keyring";
import { masterKeys } from "@/lib/privacy/encryption/master-key";

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
    // Before anything is read or written: a master key that did not wrap this database's org
    // keys is refused here, by name, instead of failing (or garbling) request by request.
    const master = masterKeys()[0]!;
    const keys = await unsafeVerifyMasterKey();
    if (master.source === "generated" && db.kind === "postgresql") {
      logger.warn("ENCLAVE_MASTER_KEY is not set: content is encrypted with a key generated into the data directory of this machine. A shared PostgreSQL deployment must set the same ENCLAVE_MASTER_KEY on every instance.");
    }
    logger.info({ masterKey: master.id, source: master.source, orgs: keys.orgs }, "encryption at rest: org keys unwrapped");
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
