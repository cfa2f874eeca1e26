import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TeamsAdmin } from "@/components/admin/teams-admin";
import { listTeams } from "@/lib/admin";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Teams" };

export default async function AdminTeamsPage() {
  const p = await requirePrincipal();
  if (!can(p, "team.manage")) notFound();
  return <TeamsAdmin initial={await listTeams(p)} />;
}
