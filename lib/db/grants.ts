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
