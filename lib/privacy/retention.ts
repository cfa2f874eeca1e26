import { env } from "@/lib/config/env";
import { unsafeOrgsWithRetention, unsafePurgeConversationsBefore, retentionDaysOf } from "@/lib/db/retention";
import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";

/**
 * Retention: an org keeps conversations for N days after their last activity (Org.retentionDays;
 * null keeps them until deleted). The purge deletes older conversations with their messages and
 * the team-view records naming them, in batches, each batch with its `retention.purged` audit
 * event in the same transaction. It runs on an interval in every instance
 * (RETENTION_PURGE_INTERVAL_MINUTES) and as `npm run retention:purge`.
 *
 * What it keeps, deliberately: memories (the user's own notes, which outlive a deleted
 * conversation by design), usage rows (cost accounting; they name a conversation id, never its
 * content) and the audit trail (append-only and chained; its content follows the org's audit
 * content policy).
 */

const DAY_MS = 86_400_000;
const BATCH = 200;

export interface OrgPurge {
  orgId: string;
  retentionDays: number;
  lastActiveBefore: string;
  conversations: number;
  messages: number;
  teamViews: number;
}

export interface PurgeReport {
  orgs: OrgPurge[];
  conversations: number;
  messages: number;
}

export interface PurgeOptions {
  now?: Date;
  batchSize?: number;
  /** After each batch: the org and what has gone so far (the CLI prints it). */
  onProgress?: (org: OrgPurge) => void;
}

export async function purgeExpiredConversations(opts: PurgeOptions = {}): Promise<PurgeReport> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? BATCH;
  const orgs: OrgPurge[] = [];
  for (const { orgId, retentionDays } of await unsafeOrgsWithRetention()) {
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
    const org: OrgPurge = { orgId, retentionDays, lastActiveBefore: cutoff.toISOString(), conversations: 0, messages: 0, teamViews: 0 };
    for (;;) {
      const batch = await unsafePurgeConversationsBefore(orgId, cutoff, batchSize, { retentionDays });
      if (batch.conversations === 0) break;
      org.conversations += batch.conversations;
      org.messages += batch.messages;
      org.teamViews += batch.teamViews;
      opts.onProgress?.(org);
      if (batch.conversations < batchSize) break;
    }
    orgs.push(org);
  }
  return {
    orgs,
    conversations: orgs.reduce((n, o) => n + o.conversations, 0),
    messages: orgs.reduce((n, o) => n + o.messages, 0),
  };
}

export interface RetentionPolicy {
  /** Null: conversations are kept until their owner deletes them. */
  days: number | null;
  description: string;
}

export function describeRetention(days: number | null): string {
  return days === null
    ? "Your organization keeps conversations until you delete them."
    : `Your organization deletes conversations ${days} ${days === 1 ? "day" : "days"} after their last message.`;
}

/** My org's policy, as the settings page shows it. */
export async function myRetentionPolicy(p: Principal): Promise<RetentionPolicy> {
  const days = await retentionDaysOf(p.orgId);
  return { days, description: describeRetention(days) };
}

const holder = globalThis as typeof globalThis & { __enclaveRetentionTimer?: NodeJS.Timeout };

/** The schedule in a server process: a first run shortly after start, then every interval. */
export function startRetentionSchedule(): void {
  if (holder.__enclaveRetentionTimer) return;
  const minutes = env().RETENTION_PURGE_INTERVAL_MINUTES;
  if (minutes === 0) return;
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    void purgeExpiredConversations()
      .then((r) => {
        if (r.conversations > 0) logger.info({ component: "retention", orgs: r.orgs.filter((o) => o.conversations > 0) }, `retention purge removed ${r.conversations} conversations (${r.messages} messages)`);
      })
      .catch((err: unknown) => logger.error({ err, component: "retention" }, "retention purge failed; will retry at the next interval"))
      .finally(() => (running = false));
  };
  const first = setTimeout(run, 30_000);
  first.unref();
  const timer = setInterval(run, minutes * 60_000);
  timer.unref();
  holder.__enclaveRetentionTimer = timer;
}
