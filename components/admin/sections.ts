import type { Permission } from "@/lib/authz";

/**
 * The admin console's sections, in nav order, each opened by one permission. A section that
 * another part of the console adds (e.g. the audit log) goes here too.
 */
export interface AdminSection {
  href: string;
  label: string;
  permission: Permission;
  description: string;
}

export const ADMIN_SECTIONS: readonly AdminSection[] = [
  {
    href: "/admin/users",
    label: "Users",
    permission: "user.manage",
    description: "Roles, teams, deactivation.",
  },
  {
    href: "/admin/teams",
    label: "Teams",
    permission: "team.manage",
    description: "Teams, their members and managers.",
  },
  {
    href: "/admin/roles",
    label: "Roles",
    permission: "role.manage",
    description: "The permission matrix and custom roles.",
  },
  {
    href: "/admin/agents",
    label: "Agents",
    permission: "agent.edit",
    description: "Each agent's instructions, tier, timeout and allowed roles, with versions and rollback.",
  },
  {
    href: "/admin/settings",
    label: "Settings",
    permission: "org.settings",
    description: "Email domains, SSO group mappings, sign-in.",
  },
  {
    href: "/admin/models",
    label: "Models",
    permission: "org.settings",
    description: "Model deployments: breakers, load, error rate and latency.",
  },
  {
    href: "/admin/limits",
    label: "Limits",
    permission: "budget.manage",
    description: "Turns and tokens per minute, turns at once: defaults and overrides per role, team, person.",
  },
  {
    href: "/admin/usage",
    label: "Usage",
    permission: "usage.read.team",
    description: "Spend and tokens by day, person, model and agent step; budget status; CSV export.",
  },
  {
    href: "/admin/budgets",
    label: "Budgets",
    permission: "budget.manage",
    description: "Spend limits per person, team or the org, per day, week or month.",
  },
  {
    href: "/admin/audit",
    label: "Audit log",
    permission: "audit.read",
    description: "Who did what, every chat-turn step; export and verify the chain.",
  },
];
