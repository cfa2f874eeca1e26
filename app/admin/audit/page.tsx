import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuditLog } from "@/components/admin/audit/audit-log";
import { filterQuery, filtersFrom, PAGE_SIZE } from "@/components/admin/audit/filters";
import { listAuditActors, listAuditEvents, type AuditPageDto } from "@/lib/audit/console";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";
import { isAppError } from "@/lib/errors/app-error";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The audit log, filtered by the URL's query (so a filtered view can be shared and reloaded). */
export default async function AdminAuditPage({ searchParams }: { searchParams: SearchParams }) {
  const p = await requirePrincipal();
  if (!can(p, "audit.read")) notFound();
  const filters = filtersFrom(await searchParams);
  let initial: AuditPageDto = { items: [], nextCursor: null };
  let initialError: string | null = null;
  try {
    initial = await listAuditEvents(p, { ...filters, limit: PAGE_SIZE });
  } catch (e) {
    // A bad filter in a shared link is explained on the page, as the API words it.
    if (!isAppError(e) || e.status >= 500) throw e;
    initialError = e.message;
  }
  const actors = await listAuditActors(p);
  return (
    <AuditLog
      key={filterQuery(filters)}
      initial={initial}
      initialFilters={filters}
      initialError={initialError}
      actors={actors}
    />
  );
}
