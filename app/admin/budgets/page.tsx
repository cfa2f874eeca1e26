import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BudgetsAdmin, type BudgetsOverviewDto } from "@/components/usage/budgets-admin";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";
import { getBudgetsOverview } from "@/lib/usage/admin-budgets";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Budgets" };

export default async function AdminBudgetsPage() {
  const p = await requirePrincipal();
  if (!can(p, "budget.manage")) notFound();
  const o = await getBudgetsOverview(p);
  const initial: BudgetsOverviewDto = { ...o, budgets: o.budgets.map(({ updatedAt: _u, updatedById: _b, ...b }) => b) };
  return <BudgetsAdmin initial={initial} />;
}
