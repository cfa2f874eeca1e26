import { logger } from "@/lib/observability/logger";
import { orgsWithUnsealedEvents, sealNextBatch, type ChainRow, type Seal } from "@/lib/db/audit-chain";
import { eventHash, GENESIS } from "@/lib/audit-record/canonical";

/** Numbers and chains a batch after the last sealed event (pure: the verifier does the same). */
export function computeSeals(last: { seq: bigint; hash: string } | null, rows: ChainRow[]): Seal[] {
  let seq = last?.seq ?? 0n;
  let prev = last?.hash ?? GENESIS;
  return rows.map((row) => {
    seq += 1n;
    const hash = eventHash({ ...row, seq, prevHash: prev });
    const s = { id: row.id, seq, prevHash: prev, hash };
    prev = hash;
    return s;
  });
}

const sealing = new Map<string, Promise<number>>();

/** Seals one org's pending events; concurrent calls in this process share one run. */
export function sealOrg(orgId: string, batchSize = 1000): Promise<number> {
  const running = sealing.get(orgId);
  if (running) return running;
  const run = (async () => {
    let total = 0;
    for (;;) {
      const n = await sealNextBatch(orgId, batchSize, computeSeals);
      total += n;
      if (n < batchSize) return total;
    }
  })().finally(() => sealing.delete(orgId));
  sealing.set(orgId, run);
  return run;
}

export async function sealAllPending(): Promise<number> {
  let total = 0;
  for (const orgId of await orgsWithUnsealedEvents()) total += await sealOrg(orgId);
  return total;
}

export async function sealAllPendingQuietly(): Promise<void> {
  try {
    await sealAllPending();
  } catch (err) {
    logger.error({ err }, "audit sealing failed; events stay unsealed and will be retried");
  }
}
