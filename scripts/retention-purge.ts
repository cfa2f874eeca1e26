/**
 * npm run retention:purge [-- --json]
 * Deletes, in every org that has a retention period, the conversations last active longer ago
 * than that period (with their messages and team-view records), prints what went per org and
 * seals the audit events that record it. Exits 0 (also when nothing was due), 2 on an error.
 */
import { sealAllPendingQuietly } from "@/lib/audit/seal";
import { closeDatabase, getDatabase } from "@/lib/db";
import { DataDirLockedError } from "@/lib/db/pglite-lock";
import { purgeExpiredConversations } from "@/lib/privacy/retention";

async function main(): Promise<void> {
  const asJson = process.argv.slice(2).includes("--json");
  await getDatabase();
  const report = await purgeExpiredConversations({
    onProgress: (o) => {
      if (!asJson) console.log(`…       org ${o.orgId}: ${o.conversations} conversations so far`);
    },
  });
  await sealAllPendingQuietly();
  if (asJson) console.log(JSON.stringify(report, null, 2));
  else {
    for (const o of report.orgs)
      console.log(
        `purged  org ${o.orgId} (keeps ${o.retentionDays} days): ${o.conversations} conversations, ${o.messages} messages, ${o.teamViews} team-view records last active before ${o.lastActiveBefore}`,
      );
    if (report.orgs.length === 0) console.log("no org has a retention period: nothing to purge");
  }
  await closeDatabase();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof DataDirLockedError ? err.message : err);
  process.exit(2);
});
