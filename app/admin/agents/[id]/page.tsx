import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AgentEditor } from "@/components/admin/agents/agent-editor";
import { AGENT_INFO, getAgent, isAgentId } from "@/lib/agents/versions";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: isAgentId(id) ? `${AGENT_INFO[id].name} agent` : "Agents" };
}

export default async function AdminAgentPage({ params }: { params: Promise<{ id: string }> }) {
  const p = await requirePrincipal();
  if (!can(p, "agent.edit")) notFound();
  const { id } = await params;
  if (!isAgentId(id)) notFound();
  // Keyed by the version, so a navigation back here after a save starts from the new one.
  const detail = await getAgent(p, { id });
  return <AgentEditor key={`${id}:${detail.current.version}`} initial={detail} />;
}
