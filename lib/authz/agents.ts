import type { Principal } from "@/lib/principal";
import { can } from "./authorize";
import type { Permission } from "./catalog";

/**
 * May this principal use this agent? It must be enabled; an agent an admin restricted to some
 * roles is usable only by holders of one of them (an empty list means everyone who may chat);
 * and the principal must hold the permission the agent needs (a specialist's, e.g. reading their
 * own conversations for research). The orchestrator never plans an agent this refuses
 * (lib/agents/team.ts). Pure, so the admin console can show the same answer.
 */
export function mayUseAgent(
  principal: Principal,
  agent: { enabled: boolean; allowedRoles: readonly string[] },
  requiredPermission?: Permission,
): boolean {
  if (!agent.enabled) return false;
  if (agent.allowedRoles.length > 0 && !agent.allowedRoles.includes(principal.role)) return false;
  return requiredPermission === undefined || can(principal, requiredPermission);
}
