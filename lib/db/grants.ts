import { logger } from "@/lib/observability/logger";
import type { Database } from "./client";
import type { SqlExecutor } from "./sql-executor";

/**
 * Privileges for the role the application connects as, on PostgreSQL. It may read and write
 * its tables, but the audit trail only grows: INSERT, plus UPDATE of the four seal columns
 * (the sealer), and no DELETE, TRUNCATE or UPDATE of content. The triggers enforce the same
 * rules for every role; the grants make them hold even if the triggers were dropped by a role
 * that cannot also grant itself privileges back.
 */
export async function applyAppRoleGrants(sql: SqlExecutor, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`Not a plain role name: ${role}`);
  const r = `"${role}"`;
  await sql.exec(`
    GRANT USAGE ON SCHEMA public TO ${r};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r};
    REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEvent", "AuditCheckpoint" FROM ${r};
    GRANT UPDATE ("seq", "prevHash", "hash", "sealedAt") ON "AuditEvent" TO ${r};
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM ${r};
  `);
}

export interface AppRoleReport {
  role: string;
  /** The role owns the audit table, or is a superuser: it could drop the append-only triggers. */
  canDropAuditTriggers: boolean;
  ownsAuditTable: boolean;
  superuser: boolean;
}

/** Who this connection is, and whether it could undo the audit trail's protections (PostgreSQL). */
export async function describeAppRole(sql: SqlExecutor): Promise<AppRoleReport> {
  const [row] = await sql.query<{ role: string; owner: string; superuser: boolean }>(
    `SELECT current_user::text AS role, pg_get_userbyid(c.relowner)::text AS owner,
            COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser
       FROM pg_class c WHERE c.oid = '"AuditEvent"'::regclass`,
  );
  if (!row) throw new Error("the AuditEvent table is missing");
  const ownsAuditTable = row.owner === row.role;
  return { role: row.role, ownsAuditTable, superuser: row.superuser, canDropAuditTriggers: ownsAuditTable || row.superuser };
}

/**
 * On PostgreSQL, the role Enclave connects as should not own the audit table: an owner (or a
 * superuser) can drop the append-only triggers and rewrite history. Warns at start-up, naming
 * the fix (`npm run db:grants`); with AUDIT_STRICT=true it refuses to start instead.
 * Returns the warning, or null when the role is fine (or the database is the embedded one).
 */
export async function checkAuditRole(db: Pick<Database, "kind" | "withSql">, opts: { strict: boolean }): Promise<string | null> {
  if (db.kind !== "postgresql") return null;
  const r = await db.withSql((sql) => describeAppRole(sql));
  if (!r.canDropAuditTriggers) return null;
  const message =
    `Enclave connects to PostgreSQL as "${r.role}", which ${r.ownsAuditTable ? "owns the audit table" : "is a superuser"}: ` +
    `it could drop the audit trail's append-only triggers. Run the migrations as the owner, then give a separate role ` +
    `only what the application needs with \`npm run db:grants -- <role> [--create <password>]\` and set DATABASE_URL to connect as it.`;
  if (opts.strict) throw new Error(`${message} (AUDIT_STRICT=true refuses to start like this.)`);
  logger.warn({ component: "audit", role: r.role, ownsAuditTable: r.ownsAuditTable, superuser: r.superuser }, message);
  return message;
}
