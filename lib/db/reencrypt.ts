/**
 * Re-encryption for `npm run keys:rotate -- --reencrypt`: every sealed column (sealed-columns)
 * whose value is not sealed with its org's current content key version (an older version, or
 * plaintext written before encryption) is sealed again, its blind index recomputed. Batches of
 * rows in key order, each batch in one transaction; each row is updated only if it still holds
 * the value that was read, so a row the app changed meanwhile is left as the app wrote it.
 * Whole-database work with no principal behind it: named unsafe…, used by scripts/keys-rotate.
 */
import type { ContentCipher } from "@/lib/privacy/encryption/content-cipher";
import { getPrisma } from "./database";
import { cipherFor, forgetKeyrings } from "./keyring";
import { contextOf, openColumn, partsText, SEALED_COLUMNS, type SealedColumn } from "./sealed-columns";

export interface ReencryptProgress {
  table: string;
  column: string;
  orgId: string;
  done: number;
  total: number;
}

export interface ReencryptResult {
  table: string;
  column: string;
  reencrypted: number;
  /** Rows changed by the app between read and write (already sealed with the current key). */
  skipped: number;
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** SQL: the column's value is not sealed with key version `$2`. */
function staleCondition(c: SealedColumn): string {
  const col = q(c.column);
  return c.kind === "json"
    ? `NOT (jsonb_typeof(${col}) = 'string' AND (${col} #>> '{}') LIKE $2)`
    : `${col} NOT LIKE $2`;
}

type Row = Record<string, unknown>;

function resealed(c: SealedColumn, cipher: ContentCipher, row: Row): { value: string; terms?: string[] } {
  const ctx = contextOf(c, row);
  const value = openColumn(c, cipher, row, row.v);
  if (c.kind === "json") {
    return { value: JSON.stringify(cipher.sealJson(value, ctx)), ...(c.terms ? { terms: cipher.indexTerms(partsText(value)) } : {}) };
  }
  const text = String(value);
  return { value: cipher.seal(text, ctx), ...(c.terms ? { terms: cipher.indexTerms(text) } : {}) };
}

async function reencryptColumn(c: SealedColumn, orgId: string, cipher: ContentCipher, batchSize: number, onProgress?: (p: ReencryptProgress) => void): Promise<{ done: number; skipped: number }> {
  const prisma = await getPrisma();
  const current = `enc1.${cipher.currentVersion}.%`;
  const table = q(c.table);
  const where = `"orgId" = $1 AND ${q(c.column)} IS NOT NULL AND ${staleCondition(c)}`;
  const counted = await prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, orgId, current);
  const total = counted[0]?.n ?? 0;
  if (total === 0) return { done: 0, skipped: 0 };
  const keys = c.key.map(q).join(", ");
  const owner = c.owner ? `, ${q(c.owner)}` : "";
  let done = 0;
  let skipped = 0;
  let after: unknown[] | null = null;
  const size = c.large ? Math.max(1, Math.min(batchSize, 10)) : batchSize;
  // One row's update: $1 the new value, $2 the value read (unchanged since, or the row is
  // left alone), then the row's key, its org and, with a blind index, the new terms.
  const col = q(c.column);
  const [set, same] = c.kind === "json" ? [`${col} = $1::jsonb`, `${col} = $2::jsonb`] : [`${col} = $1`, `${col} = $2`];
  const match = c.key.map((k, i) => `${q(k)} = $${i + 3}`).join(" AND ");
  const terms = c.terms ? `, ${q(c.terms)} = $${c.key.length + 4}::text[]` : "";
  const update = `UPDATE ${table} SET ${set}${terms} WHERE ${match} AND "orgId" = $${c.key.length + 3} AND ${same}`;
  for (;;) {
    const params: unknown[] = [orgId, current];
    let keyset = "";
    if (after) {
      keyset = ` AND (${keys}) > (${after.map((_, i) => `$${i + 3}`).join(", ")})`;
      params.push(...after);
    }
    const rows = await prisma.$queryRawUnsafe<Row[]>(
      `SELECT ${keys}${owner}, ${q(c.column)} AS "v" FROM ${table} WHERE ${where}${keyset} ORDER BY ${keys} LIMIT ${size}`,
      ...params,
    );
    if (rows.length === 0) break;
    const updates = rows.map((row) => ({ row, next: resealed(c, cipher, row) }));
    await prisma.$transaction(async (tx) => {
      for (const { row, next } of updates) {
        const n = await tx.$executeRawUnsafe(
          update,
          next.value,
          c.kind === "json" ? JSON.stringify(row.v) : row.v,
          ...c.key.map((k) => row[k]),
          orgId,
          ...(c.terms ? [next.terms] : []),
        );
        if (n === 0) skipped++;
      }
    });
    done += rows.length;
    const last = rows[rows.length - 1]!;
    after = c.key.map((k) => last[k]);
    onProgress?.({ table: c.table, column: c.column, orgId, done, total });
  }
  return { done: done - skipped, skipped };
}

export async function unsafeReencrypt(opts: { batchSize?: number; onProgress?: (p: ReencryptProgress) => void } = {}): Promise<ReencryptResult[]> {
  const prisma = await getPrisma();
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 500));
  // Key versions another process added since this one loaded its keyrings count.
  await forgetKeyrings();
  const orgs = (await prisma.org.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((o) => o.id);
  const out: ReencryptResult[] = [];
  for (const c of SEALED_COLUMNS) {
    if (c.immutable) continue;
    const total = { table: c.table, column: c.column, reencrypted: 0, skipped: 0 };
    for (const orgId of orgs) {
      const r = await reencryptColumn(c, orgId, await cipherFor(orgId), batchSize, opts.onProgress);
      total.reencrypted += r.done;
      total.skipped += r.skipped;
    }
    out.push(total);
  }
  return out;
}
