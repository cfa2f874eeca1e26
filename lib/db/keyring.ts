/**
 * Each org's encryption keys (envelope encryption): random AES-256 keys, stored only wrapped
 * by the master key (lib/privacy/encryption/master-key), unwrapped into memory when first
 * needed. Repositories get an org's ContentCipher here and seal or open its columns with it.
 */
import { randomBytes } from "node:crypto";
import { aeadOpen, aeadSeal, DecryptionError } from "@/lib/privacy/encryption/aead";
import { ContentCipher, UnknownKeyVersion } from "@/lib/privacy/encryption/content-cipher";
import { masterKeys, type MasterKey } from "@/lib/privacy/encryption/master-key";
import type { Prisma, PrismaClient } from "./generated/client";
import { getPrisma } from "./database";

type Client = PrismaClient | Prisma.TransactionClient;
type KeyRow = { orgId: string; purpose: string; version: number; wrappedKey: string; masterKeyId: string };

const CONTENT = "content";
const INDEX = "index";
/** Another process may add a content key version (keys:rotate): a cached keyring is re-read after this. */
const CACHE_MS = 60_000;

/** Start-up refuses to run with a master key that did not wrap the stored org keys. */
export class MasterKeyMismatch extends Error {
  constructor(held: MasterKey[], needed: string) {
    const sources = held.map((k) => `${k.source} (id ${k.id})`).join(" and ");
    super(
      `ENCLAVE_MASTER_KEY does not match this database: its org keys were wrapped by the master key with id ${needed}, ` +
        `and this process holds ${sources}. Start with the master key the database was set up with (during a rotation, ` +
        `set ENCLAVE_MASTER_KEY_PREVIOUS to the old one and run \`npm run keys:rotate\`). Nothing was decrypted or written with the wrong key.`,
    );
    this.name = "MasterKeyMismatch";
  }
}

function wrapAad(r: Pick<KeyRow, "orgId" | "purpose" | "version">): string {
  return `enclave org key|${r.orgId}|${r.purpose}|${r.version}`;
}

export function wrapKey(master: MasterKey, row: Pick<KeyRow, "orgId" | "purpose" | "version">, key: Buffer): KeyRow {
  return { ...row, wrappedKey: aeadSeal(master.key, key, wrapAad(row)).toString("base64url"), masterKeyId: master.id };
}

export function unwrapKey(row: KeyRow, held: MasterKey[]): Buffer {
  const master = held.find((k) => k.id === row.masterKeyId);
  if (!master) throw new MasterKeyMismatch(held, row.masterKeyId);
  try {
    return aeadOpen(master.key, Buffer.from(row.wrappedKey, "base64url"), wrapAad(row), "An org key");
  } catch (e) {
    if (e instanceof DecryptionError) throw new MasterKeyMismatch(held, row.masterKeyId);
    throw e;
  }
}

const keySelect = { orgId: true, purpose: true, version: true, wrappedKey: true, masterKeyId: true } as const;

function cipherOf(orgId: string, rows: KeyRow[], held: MasterKey[]): ContentCipher | null {
  const index = rows.find((r) => r.purpose === INDEX);
  const content = rows.filter((r) => r.purpose === CONTENT).sort((a, b) => b.version - a.version);
  if (!index || content.length === 0) return null;
  const byVersion = new Map(content.map((r) => [r.version, unwrapKey(r, held)] as const));
  const top = content[0]!;
  return new ContentCipher({ orgId, current: { version: top.version, key: byVersion.get(top.version)! }, byVersion, index: unwrapKey(index, held) });
}

async function loadOrCreate(client: Client, orgId: string, held: MasterKey[]): Promise<{ cipher: ContentCipher; created: boolean }> {
  const existing = cipherOf(orgId, await client.orgKey.findMany({ where: { orgId }, select: keySelect }), held);
  if (existing) return { cipher: existing, created: false };
  // First use by this org: its keys are made here. Two processes racing insert the same
  // primary keys; the loser's rows are skipped and both read back the winner's.
  await client.orgKey.createMany({
    data: [
      wrapKey(held[0]!, { orgId, purpose: CONTENT, version: 1 }, randomBytes(32)),
      wrapKey(held[0]!, { orgId, purpose: INDEX, version: 1 }, randomBytes(32)),
    ],
    skipDuplicates: true,
  });
  const made = cipherOf(orgId, await client.orgKey.findMany({ where: { orgId }, select: keySelect }), held);
  if (!made) throw new Error(`could not create the encryption keys of org ${orgId}`);
  return { cipher: made, created: true };
}

type Cache = Map<string, { cipher: ContentCipher; until: number }>;
const holder = globalThis as typeof globalThis & { __enclaveKeyrings?: WeakMap<object, Cache> };

async function cacheOf(): Promise<{ prisma: PrismaClient; cache: Cache }> {
  const prisma = await getPrisma();
  holder.__enclaveKeyrings ??= new WeakMap();
  let cache = holder.__enclaveKeyrings.get(prisma);
  if (!cache) holder.__enclaveKeyrings.set(prisma, (cache = new Map()));
  return { prisma, cache };
}

/**
 * The org's cipher. Pass the transaction when called inside one (the embedded database has a
 * single connection: a query beside the transaction would wait for it forever). Keys created
 * inside a transaction are not cached (it may still roll back); keys it only read are.
 */
export async function cipherFor(orgId: string, client?: Client): Promise<ContentCipher> {
  const { prisma, cache } = await cacheOf();
  const hit = cache.get(orgId);
  if (hit && hit.until > Date.now()) return hit.cipher;
  const via = client ?? prisma;
  const { cipher, created } = await loadOrCreate(via, orgId, masterKeys());
  if (via === prisma || !created) cache.set(orgId, { cipher, until: Date.now() + CACHE_MS });
  return cipher;
}

/**
 * Runs `read` with the org's cipher; if it meets a key version this process has not loaded yet
 * (another process rotated the org's content key), reloads the keyring once and runs it again.
 */
export async function withCipher<T>(orgId: string, read: (c: ContentCipher) => T | Promise<T>): Promise<T> {
  try {
    return await read(await cipherFor(orgId));
  } catch (e) {
    if (!(e instanceof UnknownKeyVersion)) throw e;
    (await cacheOf()).cache.delete(orgId);
    return read(await cipherFor(orgId));
  }
}

/**
 * Start-up check: every stored org key opens with the master keys this process holds, else a
 * MasterKeyMismatch names the problem before anything is read or written. Warms the keyring.
 */
export async function unsafeVerifyMasterKey(held: MasterKey[] = masterKeys()): Promise<{ orgs: number; keys: number }> {
  const { prisma, cache } = await cacheOf();
  const rows = await prisma.orgKey.findMany({ select: keySelect, orderBy: [{ orgId: "asc" }] });
  const byOrg = new Map<string, KeyRow[]>();
  for (const r of rows) byOrg.set(r.orgId, [...(byOrg.get(r.orgId) ?? []), r]);
  for (const [orgId, list] of byOrg) {
    const cipher = cipherOf(orgId, list, held);
    if (cipher) cache.set(orgId, { cipher, until: Date.now() + CACHE_MS });
  }
  return { orgs: byOrg.size, keys: rows.length };
}

/** Forgets every cached keyring of the current database (tests and keys:rotate). */
export async function forgetKeyrings(): Promise<void> {
  (await cacheOf()).cache.clear();
}

/**
 * Re-wraps every org key not wrapped by the first of `held` (the new master key) under it.
 * Each org in its own transaction, so an interrupted run is simply run again.
 */
export async function unsafeRewrapOrgKeys(held: MasterKey[] = masterKeys(), onOrg?: (done: number, total: number) => void): Promise<{ orgs: number; rewrapped: number }> {
  const prisma = await getPrisma();
  const target = held[0]!;
  const rows = await prisma.orgKey.findMany({ select: keySelect, where: { masterKeyId: { not: target.id } } });
  const orgs = [...new Set(rows.map((r) => r.orgId))];
  let rewrapped = 0;
  for (const [i, orgId] of orgs.entries()) {
    const mine = rows.filter((r) => r.orgId === orgId);
    const next = mine.map((r) => ({ from: r, to: wrapKey(target, r, unwrapKey(r, held)) }));
    await prisma.$transaction(async (tx) => {
      for (const { from, to } of next) {
        const { count } = await tx.orgKey.updateMany({
          where: { orgId, purpose: from.purpose, version: from.version, wrappedKey: from.wrappedKey },
          data: { wrappedKey: to.wrappedKey, masterKeyId: to.masterKeyId, rewrappedAt: new Date() },
        });
        rewrapped += count;
      }
    });
    onOrg?.(i + 1, orgs.length);
  }
  await forgetKeyrings();
  return { orgs: orgs.length, rewrapped };
}

/** A new content key version for every org (or the given ones): new values are sealed with it. */
export async function unsafeAddContentKeyVersions(held: MasterKey[] = masterKeys(), only?: string[]): Promise<Array<{ orgId: string; version: number }>> {
  const prisma = await getPrisma();
  const orgs = only ?? (await prisma.org.findMany({ select: { id: true } })).map((o) => o.id);
  const out: Array<{ orgId: string; version: number }> = [];
  for (const orgId of orgs) {
    await cipherFor(orgId); // the org's first keys, if it has none yet
    const top = await prisma.orgKey.findFirst({ where: { orgId, purpose: CONTENT }, orderBy: { version: "desc" }, select: { version: true } });
    const version = (top?.version ?? 0) + 1;
    await prisma.orgKey.create({ data: wrapKey(held[0]!, { orgId, purpose: CONTENT, version }, randomBytes(32)) });
    out.push({ orgId, version });
  }
  await forgetKeyrings();
  return out;
}
