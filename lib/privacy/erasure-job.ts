import { z } from "zod";
import { db } from "@/lib/db";
import { drainAudit } from "@/lib/audit/maintenance";
import { defineJob } from "@/lib/jobs/types";
import { forgetPersonLimits } from "@/lib/limits/admission";
import { responseCache } from "@/lib/models/registry";
import { logger } from "@/lib/observability/logger";

export const ERASURE_JOB_KIND = "data.erase";
export type ErasureScope = "account" | "content";

const BATCH = 100;

/**
 * The erasure job. Its steps run in a fixed order and each is idempotent, so a job interrupted
 * anywhere (a killed process) is simply run again from the start when it is resumed (in-process:
 * at the next start-up; BullMQ: by any worker once the lock lapses) and finishes the rest:
 *
 *   1. account: lock out (disable, revoke sessions and API keys), so nothing new is written;
 *   2. conversations with their messages and the team views of them, in batches (progress);
 *   3. memories (and, for an account, preferences), export archives, team views naming them;
 *   4. cached responses (the gateway's user-scoped cache) and limiter counters and slots;
 *   5. account: usage rows and views they made keep a pseudonym, their own limits and budgets
 *      go, their other jobs go;
 *   6. the audit trail, once what is pending is sealed: the events naming them are redacted (an
 *      account: their id becomes the pseudonym, their email and name are struck; content only:
 *      what they said), which keeps every hash and the chain valid (hash version 2);
 *   7. `data.erased` and, for an account, the account row itself, in one transaction.
 */
export const erasureJob = defineJob({
  kind: ERASURE_JOB_KIND,
  payload: z.object({ userId: z.string().min(1), scope: z.enum(["account", "content"]) }).strict(),
  async run({ jobId, owner, payload, progress }) {
    const target = { orgId: owner.orgId, userId: payload.userId };
    const repo = db.forOwner(target).erasure;
    const account = payload.scope === "account";
    const person = await repo.person();
    const existed = person !== null;
    const counts: Record<string, number> = {};
    const add = (o: Record<string, number>) => {
      for (const [k, v] of Object.entries(o)) counts[k] = (counts[k] ?? 0) + v;
    };

    if (account && existed) add(await repo.lockOut());
    await progress(5);

    const total = await repo.countConversations();
    let done = 0;
    for (;;) {
      const batch = await repo.deleteConversations(BATCH);
      if (batch.conversations === 0) break;
      add(batch);
      done += batch.conversations;
      await progress(5 + (65 * done) / Math.max(total, done));
    }
    await progress(70);

    add(await repo.deleteMemories({ preferences: account }));
    add({ exports: await repo.deleteExports(), teamViews: await repo.deleteViewsOfTheirConversations() });
    await progress(80);

    add({ cachedResponses: await responseCache().purgeUser(target.orgId, target.userId) });
    await forgetPersonLimits(target.orgId, target.userId).catch((err: unknown) =>
      // The counters lapse within a minute and the slots with their lease anyway: not worth failing the erasure.
      logger.warn({ err, component: "erasure", jobId }, "could not clear the limiter state of an erased person; it lapses by itself"),
    );
    await progress(88);

    if (account) {
      add(await repo.pseudonymizeAccount());
      add({ jobs: await repo.deleteOtherJobs(jobId) });
    }
    await progress(92);

    // The audit trail last: every step above has been recorded, so what is pending is sealed
    // first, then redacted with the rest.
    await drainAudit();
    const audit = await repo.redactAuditTrail(person, { identity: account });
    add({ auditEventsRedacted: audit.redacted, auditEventsUnredactable: audit.unredactable });
    await progress(97);

    // A resumed account erasure whose account row is already gone recorded its event with it.
    if (account && !existed) return;
    await repo.finish(
      {
        orgId: owner.orgId,
        actorId: owner.startedById === payload.userId ? null : owner.startedById,
        action: "data.erased",
        target: { type: "user", id: repo.pseudonym },
        data: { jobId, scope: payload.scope, ...counts },
      },
      { deleteAccount: account, jobId, scope: payload.scope },
    );
  },
});
