import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuditEventDetail } from "@/components/admin/audit/event-detail";
import { filterQuery, filtersFrom } from "@/components/admin/audit/filters";
import { getAuditEvent } from "@/lib/audit/console";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";
import { isAppError } from "@/lib/errors/app-error";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit event" };

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** One audit event; `back` carries the list's filters so "← Audit log" returns to the same view. */
export default async function AdminAuditEventPage({ params, searchParams }: Props) {
  const p = await requirePrincipal();
  if (!can(p, "audit.read")) notFound();
  const { id } = await params;
  const back = (await searchParams).back;
  const backQuery = filterQuery(filtersFrom(new URLSearchParams(typeof back === "string" ? back : "")));
  const detail = await getAuditEvent(p, { id }).catch((e: unknown) => {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  });
  return <AuditEventDetail detail={detail} backQuery={backQuery} />;
}
