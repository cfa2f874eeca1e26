import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AgentsList } from "@/components/admin/agents/agents-list";
import { listAgents } from "@/lib/agents/versions";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Agents" };

export default async function AdminAgentsPage() {
  const p = await requirePrincipal();
  if (!can(p, "agent.edit")) notFound();
  return <AgentsList initial={await listAgents(p)} />;
}
