// Moved to lib/audit-record/events.ts (below lib/db and lib/audit); this path stays for the code
// above them that still imports it. New code imports @/lib/audit-record/events.
export * from "@/lib/audit-record/events";
