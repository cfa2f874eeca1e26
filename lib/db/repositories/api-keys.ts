import type { Principal } from "@/lib/principal";
import { actorOf, writeAudit } from "../audit";
import { getPrisma } from "../database";
import { isUniqueViolation } from "../prisma-errors";
import { ownerScope } from "../scope";

/** A key as its owner sees it in a list: never the hash, never the key itself. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface CreateApiKeyRow {
  name: string;
  scopes: string[];
  expiresAt: Date | null;
}

/** The secret half, produced by lib/auth/api-key-format; generated again on a prefix clash. */
export type KeyMaterial = { prefix: string; hash: string };

const select = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

const MAX_ATTEMPTS = 3;

/**
 * The principal's own API keys. Every query is bound to the principal's org and user; the
 * audit event of a change is written in the same transaction as the change.
 */
export function apiKeyRepository(p: Principal) {
  const scope = ownerScope(p);
  return {
    /**
     * Stores a new key (only its hash). `material` is called again if its random prefix happens
     * to clash with an existing one, so the caller never sees a unique-constraint error.
     */
    async create(row: CreateApiKeyRow, material: () => KeyMaterial, opts: { requestId?: string } = {}): Promise<ApiKeySummary> {
      const prisma = await getPrisma();
      for (let attempt = 1; ; attempt++) {
        const { prefix, hash } = material();
        try {
          return await prisma.$transaction(async (tx) => {
            const created = await tx.apiKey.create({
              data: { ...scope, name: row.name, scopes: row.scopes, expiresAt: row.expiresAt, prefix, hash },
              select,
            });
            await writeAudit(tx, {
              ...actorOf(p, opts.requestId),
              action: "apikey.created",
              target: { type: "apikey", id: created.id },
              data: {
                name: created.name,
                prefix: created.prefix,
                scopes: created.scopes,
                expiresAt: created.expiresAt?.toISOString() ?? null,
                via: p.via,
              },
            });
            return created;
          });
        } catch (e) {
          if (isUniqueViolation(e) && attempt < MAX_ATTEMPTS) continue;
          throw e;
        }
      }
    },

    /** Newest first, revoked ones included (marked), so the owner sees the whole history. */
    async list(): Promise<ApiKeySummary[]> {
      const prisma = await getPrisma();
      return prisma.apiKey.findMany({ where: scope, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select, take: 500 });
    },

    async getById(id: string): Promise<ApiKeySummary | null> {
      const prisma = await getPrisma();
      return prisma.apiKey.findFirst({ where: { id, ...scope }, select });
    },

    /**
     * Revokes one of my keys. Idempotent: a key already revoked stays as it was (and no second
     * event is recorded). Null when the id names no key of mine.
     */
    async revoke(id: string, opts: { requestId?: string } = {}): Promise<ApiKeySummary | null> {
      const prisma = await getPrisma();
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.apiKey.updateMany({ where: { id, ...scope, revokedAt: null }, data: { revokedAt: new Date() } });
        const key = await tx.apiKey.findFirst({ where: { id, ...scope }, select });
        if (!key) return null;
        if (count > 0) {
          await writeAudit(tx, {
            ...actorOf(p, opts.requestId),
            action: "apikey.revoked",
            target: { type: "apikey", id: key.id },
            data: { name: key.name, prefix: key.prefix },
          });
        }
        return key;
      });
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;
