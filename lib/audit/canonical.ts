// Moved to lib/audit-record/canonical.ts (below lib/db and lib/audit); this path stays for the code
// above them that still imports it. New code imports @/lib/audit-record/canonical.
export * from "@/lib/audit-record/canonical";
