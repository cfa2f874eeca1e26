/**
 * npm run db:grants -- <role> [--create <password>]
 * Run as the database owner (DATABASE_URL): gives <role>, the role Enclave should connect as in
 * production, exactly the privileges it needs (the audit trail is insert-only for it).
 */
import { env } from "@/lib/config/env";
import { openDatabase } from "@/lib/db/client";
import { applyAppRoleGrants } from "@/lib/db/grants";

async function main(): Promise<void> {
  const [role, flag, password] = process.argv.slice(2);
  const url = env().DATABASE_URL;
  if (!role || !url) {
    console.error("usage: DATABASE_URL=<owner url> npm run db:grants -- <role> [--create <password>]");
    process.exit(2);
  }
  const db = await openDatabase({ kind: "postgresql", url, migrate: false });
  await db.withSql(async (sql) => {
    if (flag === "--create") {
      if (!password) throw new Error("--create needs a password");
      await sql.query(`SELECT 1`); // connection check
      await sql.exec(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role.replace(/'/g, "")}') THEN
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', '${role.replace(/'/g, "")}', '${password.replace(/'/g, "''")}'); END IF; END $$;`);
    }
    await applyAppRoleGrants(sql, role);
  });
  console.log(`granted application privileges to ${role}: the audit trail is insert-only for it`);
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
