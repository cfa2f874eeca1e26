/**
 * npm run db:migrate — applies pending migrations to PostgreSQL (DATABASE_URL) or, without it,
 * to the embedded PGlite directory (refused while a running Enclave holds that directory).
 */
import { env } from "@/lib/config/env";
import { openDatabase } from "@/lib/db/client";
import { pgliteDataDir } from "@/lib/db/database";
import { DataDirLockedError } from "@/lib/db/pglite-lock";

async function main(): Promise<void> {
  const e = env();
  const log = (line: string) => console.log(line);
  const db = e.DATABASE_URL
    ? await openDatabase({ kind: "postgresql", url: e.DATABASE_URL, migrate: true, log })
    : await openDatabase({ kind: "pglite", dataDir: pgliteDataDir(), migrate: true, log });
  console.log(`migrations are up to date (${db.kind})`);
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof DataDirLockedError ? err.message : err);
  process.exit(1);
});
