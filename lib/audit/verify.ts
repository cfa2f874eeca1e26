import { listCheckpoints, orgsWithAuditEvents, sealedEventsAfter, unsealedCount } from "@/lib/db/audit-chain";
import { eventHash, GENESIS } from "@/lib/audit-record/canonical";
import { checkSignature } from "./checkpoints";
import { sealOrg } from "./seal";

/**
 * Walks an org's chain from seq 1: numbering must be gapless, each event must point at its
 * predecessor's hash, each hash must match the event's content, and every signed checkpoint
 * must match the chain. The first problem is reported with its sequence number.
 */
export interface BrokenLink {
  seq: string;
  eventId: string | null;
  reason: string;
}

export interface ChainReport {
  orgId: string;
  ok: boolean;
  checked: number;
  lastSeq: string;
  checkpoints: number;
  firstBroken: BrokenLink | null;
}

const PAGE = 2000;

export async function verifyOrgChain(orgId: string, opts: { sealFirst?: boolean } = {}): Promise<ChainReport> {
  if (opts.sealFirst !== false) await sealOrg(orgId);
  const checkpoints = await listCheckpoints(orgId, 100_000);
  const wanted = new Map(checkpoints.map((c) => [c.seq, c]));
  let problems: BrokenLink[] = [];
  let expected = 1n;
  let prev = GENESIS;
  let checked = 0;
  let after = 0n;

  const note = (p: BrokenLink) => {
    problems.push(p);
  };

  outer: for (;;) {
    const rows = await sealedEventsAfter(orgId, after, PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.seq !== expected) {
        note(
          row.seq > expected
            ? { seq: expected.toString(), eventId: null, reason: `event ${expected} is missing: the chain jumps from ${expected - 1n} to ${row.seq} (deleted)` }
            : { seq: row.seq.toString(), eventId: row.id, reason: `sequence ${row.seq} appears twice (inserted)` },
        );
        break outer;
      }
      if (row.prevHash !== prev) {
        note({ seq: row.seq.toString(), eventId: row.id, reason: "it does not point at the previous event's hash (events reordered or inserted)" });
        break outer;
      }
      if (eventHash(row) !== row.hash) {
        note({ seq: row.seq.toString(), eventId: row.id, reason: "its content does not match its hash (modified)" });
        break outer;
      }
      const cp = wanted.get(row.seq);
      if (cp && cp.hash !== row.hash) {
        note({ seq: row.seq.toString(), eventId: row.id, reason: "the chain does not match the signed checkpoint here (rewritten at or before this event)" });
        break outer;
      }
      prev = row.hash!;
      expected += 1n;
      checked += 1;
      after = row.seq;
    }
  }
  const lastSeq = expected - 1n;
  for (const c of checkpoints) {
    if (!checkSignature(c)) {
      note({ seq: c.seq.toString(), eventId: null, reason: "a checkpoint's signature does not verify (forged or signed with another key)" });
    } else if (problems.length === 0 && c.seq > lastSeq) {
      note({ seq: (lastSeq + 1n).toString(), eventId: null, reason: `a signed checkpoint covers event ${c.seq} but the chain ends at ${lastSeq} (events deleted)` });
    }
  }
  problems = problems.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0));
  return {
    orgId,
    ok: problems.length === 0,
    checked,
    lastSeq: lastSeq.toString(),
    checkpoints: checkpoints.length,
    firstBroken: problems[0] ?? null,
  };
}

export async function verifyAllChains(): Promise<{ ok: boolean; reports: ChainReport[]; unsealed: number }> {
  const reports: ChainReport[] = [];
  for (const orgId of await orgsWithAuditEvents()) reports.push(await verifyOrgChain(orgId));
  return { ok: reports.every((r) => r.ok), reports, unsealed: await unsealedCount() };
}
