/**
 * The audit record itself, below both the data layer and the audit trail's logic: the closed set
 * of event types and their input shape (events), what may be written of what someone said
 * (redact: secrets masked under every policy, also used by the logger), and the canonical form an
 * event's hash is computed over (canonical). lib/db stores records in this shape, lib/audit
 * seals, verifies and exports them, lib/observability masks log lines with it; it imports none
 * of them.
 */
export * from "./events";
export * from "./redact";
export * from "./canonical";
