/**
 * Storage side of the tamper-evident chain. Sealing, verification and checkpoints are system
 * work, not done on behalf of a principal, so these functions take an org id; the audit console
 * reads through the principal-scoped repository (repositories/audit.ts).
 */
import type { HashedFields } from "@/lib/audit-record/canonical";
import type { Prisma } from "./generated/client";
import { getDatabase, getPrisma } from "./database";

export interface ChainRow extends HashedFields {
  pos: bigint;
  hash: string | null;
}

const CHAIN_COLUMNS = `"id", "pos", "orgId", "seq", "prevHash", "hash", "createdAt", "actorId", "sessionId", "requestId",
  "action", "targetType", "targetId", "outcome", "latencyMs", "inputHash", "outputHash", "content", "data", "salts", "redacted"`;

/** A row as stored: the hashed fields, with the seal still possibly unset. */
type RawRow = Omit<HashedFields, "seq" | "prevHash"> & {
  pos: bigint;
  seq: bigint | null;
  prevHash: string | null;
  hash: string | null;
};

function toChainRow(r: RawRow): ChainRow {
  return {
    ...r,
    pos: BigInt(r.pos),
    seq: r.seq === null ? -1n : BigInt(r.seq),
    prevHash: r.prevHash ?? "",
    createdAt: new Date(r.createdAt),
  };
}

export async function orgsWithUnsealedEvents(): Promise<string[]> {
  const prisma = await getPrisma();
  const rows = await prisma.$queryRaw<Array<{ orgId: string }>>`SELECT DISTINCT "orgId" FROM "AuditEvent" WHERE "hash" IS NULL`;
  return rows.map((r) => r.orgId);
}

export async function unsealedCount(): Promise<number> {
  const prisma = await getPrisma();
  const rows = await prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "hash" IS NULL`;
  return rows[0]?.n ?? 0;
}

export interface Seal {
  id: string;
  seq: bigint;
  prevHash: string;
  hash: string;
}

/**
 * Seals the next batch of an org's unsealed events, in insertion order, inside one transaction
 * holding the org's sealing lock (a PostgreSQL advisory lock, so several instances never seal
 * the same org at once; PGlite has one process and one connection). `seal` computes the chain
 * from the last sealed event. Returns how many were sealed (0 if another sealer holds the lock).
 */
export async function sealNextBatch(
  orgId: string,
  limit: number,
  seal: (last: { seq: bigint; hash: string } | null, rows: ChainRow[]) => Seal[],
): Promise<number> {
  const db = await getDatabase();
  return db.prisma.$transaction(
    async (tx) => {
      if (db.kind === "postgresql") {
        const [lock] = await tx.$queryRaw<Array<{ ok: boolean }>>`SELECT pg_try_advisory_xact_lock(hashtextextended(${"enclave-audit:" + orgId}, 0)) AS ok`;
        if (!lock?.ok) return 0;
      }
      const last = await tx.$queryRaw<Array<{ seq: bigint; hash: string }>>`
        SELECT "seq", "hash" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "seq" IS NOT NULL ORDER BY "seq" DESC LIMIT 1`;
      const raw = await tx.$queryRawUnsafe<RawRow[]>(
        `SELECT ${CHAIN_COLUMNS} FROM "AuditEvent" WHERE "orgId" = $1 AND "hash" IS NULL ORDER BY "pos" LIMIT $2`,
        orgId,
        limit,
      );
      if (raw.length === 0) return 0;
      const seals = seal(last[0] ? { seq: BigInt(last[0].seq), hash: last[0].hash } : null, raw.map(toChainRow));
      await applySeals(tx, seals);
      return seals.length;
    },
    { timeout: 30_000 },
  );
}

async function applySeals(tx: Prisma.TransactionClient, seals: Seal[]): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE "AuditEvent" AS e
        SET "seq" = v.seq, "prevHash" = v.prev, "hash" = v.hash, "sealedAt" = (now() AT TIME ZONE 'UTC')
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev, hash)
      WHERE e."id" = v.id`,
    seals.map((s) => s.id),
    seals.map((s) => s.seq.toString()),
    seals.map((s) => s.prevHash),
    seals.map((s) => s.hash),
  );
}

/** Sealed events of an org in chain order, a page at a time (for verification). */
export async function sealedEventsAfter(orgId: string, afterSeq: bigint, limit: number): Promise<ChainRow[]> {
  const prisma = await getPrisma();
  const raw = await prisma.$queryRawUnsafe<RawRow[]>(
    `SELECT ${CHAIN_COLUMNS} FROM "AuditEvent" WHERE "orgId" = $1 AND "seq" IS NOT NULL AND "seq" > $2::bigint ORDER BY "seq" LIMIT $3`,
    orgId,
    afterSeq.toString(),
    limit,
  );
  return raw.map(toChainRow);
}

/** Rows that claim a seal but are incomplete, or are sealed yet out of the numbering. */
export async function orgsWithAuditEvents(): Promise<string[]> {
  const prisma = await getPrisma();
  const rows = await prisma.$queryRaw<Array<{ orgId: string }>>`SELECT DISTINCT "orgId" FROM "AuditEvent"`;
  return rows.map((r) => r.orgId);
}

export async function lastSealed(orgId: string): Promise<{ seq: bigint; hash: string } | null> {
  const prisma = await getPrisma();
  const rows = await prisma.$queryRaw<Array<{ seq: bigint; hash: string }>>`
    SELECT "seq", "hash" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "seq" IS NOT NULL ORDER BY "seq" DESC LIMIT 1`;
  return rows[0] ? { seq: BigInt(rows[0].seq), hash: rows[0].hash } : null;
}

export interface CheckpointRow {
  id: string;
  orgId: string;
  seq: bigint;
  hash: string;
  algorithm: string;
  keyId: string;
  signature: string;
  createdAt: Date;
}

export async function insertCheckpoint(c: Omit<CheckpointRow, "id" | "createdAt">): Promise<boolean> {
  const prisma = await getPrisma();
  const { count } = await prisma.auditCheckpoint.createMany({ data: [c], skipDuplicates: true });
  return count > 0;
}

export async function listCheckpoints(orgId: string, limit = 1000): Promise<CheckpointRow[]> {
  const prisma = await getPrisma();
  const rows = await prisma.auditCheckpoint.findMany({ where: { orgId }, orderBy: { seq: "asc" }, take: limit });
  return rows.map((r) => ({ ...r, seq: BigInt(r.seq) }));
}

export async function latestCheckpoint(orgId: string): Promise<CheckpointRow | null> {
  const prisma = await getPrisma();
  const r = await prisma.auditCheckpoint.findFirst({ where: { orgId }, orderBy: { seq: "desc" } });
  return r ? { ...r, seq: BigInt(r.seq) } : null;
}

/** The sealed event at a given place in an org's chain. */
export async function sealedEventAt(orgId: string, seq: bigint): Promise<{ id: string; hash: string | null } | null> {
  const prisma = await getPrisma();
  return prisma.auditEvent.findFirst({ where: { orgId, seq }, select: { id: true, hash: true } });
}
