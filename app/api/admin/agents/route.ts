import { listAgents } from "@/lib/agents/versions";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The five agents, each with its current version (who saved it, when). */
export const GET = withPrincipal(async (_req, principal) => json(await listAgents(principal)), { permission: "agent.edit" });
