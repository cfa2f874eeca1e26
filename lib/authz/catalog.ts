/**
 * The one catalog of permissions: what each one allows, and which built-in roles hold it.
 * Roles mean something only here (and in authorize.ts). The admin console's permission matrix
 * and the route permission test are generated from this list.
 */
export const BUILT_IN_ROLES = ["member", "manager", "admin", "auditor"] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

export const BUILT_IN_ROLE_INFO: Record<BuiltInRole, { name: string; description: string }> = {
  member: { name: "Member", description: "Chats with the agents and manages their own conversations and API keys." },
  manager: {
    name: "Manager",
    description: "A member who can open their team's conversations read-only, with a recorded justification.",
  },
  admin: { name: "Admin", description: "Manages users, teams, roles, agents, budgets and org settings." },
  auditor: { name: "Auditor", description: "Reads the audit trail and usage, but no conversation content." },
};

const EVERYONE: readonly BuiltInRole[] = BUILT_IN_ROLES;

export const PERMISSIONS = [
  { id: "chat.send", description: "Chat with the agents in their own conversations.", roles: EVERYONE },
  { id: "conversation.read.own", description: "List and read their own conversations.", roles: EVERYONE },
  { id: "conversation.write.own", description: "Rename and delete their own conversations.", roles: EVERYONE },
  {
    id: "conversation.read.team",
    description: "Open a conversation of a member of a team they manage, read-only, after giving a justification the owner can see.",
    roles: ["manager"],
  },
  {
    id: "conversation.read.org",
    description: "Open any member's conversation in the org, read-only, after giving a justification the owner can see.",
    roles: ["admin"],
  },
  { id: "agent.edit", description: "Edit agents and their instructions.", roles: ["admin"] },
  { id: "audit.read", description: "Read and export the audit trail (who, what, when, outcome, hashes; not what was said).", roles: ["admin", "auditor"] },
  {
    id: "audit.read.content",
    description:
      "See the conversation content the audit trail keeps (as the org's content policy allows). No built-in role holds it: grant it through a custom role, e.g. for a legal hold.",
    roles: [],
  },
  { id: "usage.read.team", description: "See usage and cost of the teams they manage.", roles: ["manager", "admin", "auditor"] },
  { id: "usage.read.org", description: "See usage and cost of the whole org.", roles: ["admin", "auditor"] },
  { id: "budget.manage", description: "Set budgets and limits.", roles: ["admin"] },
  { id: "user.manage", description: "Change people's roles and teams; deactivate and reactivate them.", roles: ["admin"] },
  { id: "team.manage", description: "Create, rename and delete teams; assign members and managers.", roles: ["admin"] },
  { id: "role.manage", description: "Create and edit custom roles.", roles: ["admin"] },
  { id: "org.settings", description: "Change email domains, SSO group mappings and sign-in options.", roles: ["admin"] },
  { id: "apikey.manage.own", description: "Create and revoke their own API keys.", roles: EVERYONE },
  { id: "memory.manage.own", description: "See, add, edit and delete their own long-term memories, and set their own preferences.", roles: EVERYONE },
  { id: "data.export.own", description: "Export all their own data (conversations, memories, preferences, usage, audit events) as one archive.", roles: EVERYONE },
  { id: "data.erase.own", description: "Erase their own data: their conversations, memory and cached responses, or their whole account.", roles: EVERYONE },
] as const satisfies ReadonlyArray<{ id: string; description: string; roles: readonly BuiltInRole[] }>;

export type Permission = (typeof PERMISSIONS)[number]["id"];
export const PERMISSION_IDS: readonly Permission[] = PERMISSIONS.map((p) => p.id);

export function isPermission(x: string): x is Permission {
  return (PERMISSION_IDS as readonly string[]).includes(x);
}

export function isBuiltInRole(x: string): x is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(x);
}

function holdersOf(role: BuiltInRole): ReadonlySet<Permission> {
  return new Set(PERMISSIONS.filter((p) => (p.roles as readonly string[]).includes(role)).map((p) => p.id));
}

const BY_ROLE: Record<BuiltInRole, ReadonlySet<Permission>> = {
  member: holdersOf("member"),
  manager: holdersOf("manager"),
  admin: holdersOf("admin"),
  auditor: holdersOf("auditor"),
};

export function builtInPermissions(role: BuiltInRole): ReadonlySet<Permission> {
  return BY_ROLE[role];
}

/**
 * API key scopes narrow what the key's owner may do through it. A key never grants more than
 * its owner's role.
 */
export const API_KEY_SCOPES = {
  chat: {
    description: "Chat through the API (and read, rename and delete the resulting conversations).",
    permissions: ["chat.send", "conversation.read.own", "conversation.write.own"],
  },
  read: {
    description: "Read their own conversations only (not rename or delete them).",
    permissions: ["conversation.read.own"],
  },
} as const satisfies Record<string, { description: string; permissions: readonly Permission[] }>;

export type ApiKeyScope = keyof typeof API_KEY_SCOPES;
export const API_KEY_SCOPE_IDS = Object.keys(API_KEY_SCOPES) as ApiKeyScope[];
