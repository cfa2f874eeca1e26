// Moved to lib/audit-record/redact.ts (below lib/db and lib/audit); this path stays for the code
// above them that still imports it. New code imports @/lib/audit-record/redact.
export * from "@/lib/audit-record/redact";
