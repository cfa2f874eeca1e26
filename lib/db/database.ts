import { join } from "node:path";
import { env } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";
import { openDatabase, type Database } from "./client";
import { isEmpty, seedDatabase } from "./seed";

// Next bundles server code into several module graphs; a module-level variable would open the
// database once per graph. One promise on globalThis is shared by all of them.
const holder = globalThis as typeof globalThis & { __enclaveDatabase?: Promise<Database> };

export function pgliteDataDir(): string {
  return join(env().ENCLAVE_DATA_DIR, "pglite");
}

async function openFromEnv(): Promise<Database> {
  const e = env();
  const log = (line: string) => logger.info({ component: "db" }, line);
  if (e.DATABASE_URL) {
    return openDatabase({ kind: "postgresql", url: e.DATABASE_URL, log });
  }
  // Embedded mode: this process owns the data directory, so it migrates and seeds it too.
  const db = await openDatabase({ kind: "pglite", dataDir: pgliteDataDir(), log });
  if (await isEmpty(db.prisma)) {
    const seeded = await seedDatabase(db.prisma);
    log(`first run: seeded ${seeded.orgs} orgs and ${seeded.users} users for development`);
  }
  return db;
}

export function getDatabase(): Promise<Database> {
  holder.__enclaveDatabase ??= openFromEnv();
  return holder.__enclaveDatabase;
}

export async function getPrisma() {
  return (await getDatabase()).prisma;
}

/** Tests open their own database (fresh PGlite or a throwaway PostgreSQL database) and install it. */
export function setDatabase(db: Database | undefined): void {
  holder.__enclaveDatabase = db ? Promise.resolve(db) : undefined;
}

export async function closeDatabase(): Promise<void> {
  const current = holder.__enclaveDatabase;
  holder.__enclaveDatabase = undefined;
  if (current) await (await current).close();
}
