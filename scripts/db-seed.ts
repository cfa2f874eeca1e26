/** npm run db:seed — creates (or refreshes) the development orgs and users. Idempotent. */
import { env } from "@/lib/config/env";
import { openDatabase } from "@/lib/db/client";
import { pgliteDataDir } from "@/lib/db/database";
import { DataDirLockedError } from "@/lib/db/pglite-lock";
import { seedDatabase } from "@/lib/db/seed";

async function main(): Promise<void> {
  const e = env();
  const db = e.DATABASE_URL
    ? await openDatabase({ kind: "postgresql", url: e.DATABASE_URL })
    : await openDatabase({ kind: "pglite", dataDir: pgliteDataDir() });
  const r = await seedDatabase(db.prisma);
  console.log(`seeded ${r.orgs} orgs and ${r.users} users (${db.kind})`);
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof DataDirLockedError ? err.message : err);
  process.exit(1);
});
