import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { LimitsAdmin, type LimitsOverviewDto } from "@/components/admin/limits/limits-admin";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";
import { getLimitsOverview } from "@/lib/limits/admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Limits" };

export default async function AdminLimitsPage() {
  const p = await requirePrincipal();
  if (!can(p, "budget.manage")) notFound();
  const o = await getLimitsOverview(p);
  const initial: LimitsOverviewDto = { ...o, overrides: o.overrides.map((x) => ({ ...x, updatedAt: x.updatedAt.toISOString() })) };
  return <LimitsAdmin initial={initial} />;
}
