/**
 * What the admin API answers (JSON). The console's client components import these types only.
 * Dates are ISO 8601 strings.
 */

export type UserStatus = "active" | "disabled";

export interface AdminUserDto {
  id: string;
  email: string;
  name: string;
  /** A role key of the org (built-in or custom). */
  role: string;
  roleName: string;
  team: { id: string; name: string } | null;
  managedTeams: Array<{ id: string; name: string }>;
  status: UserStatus;
  disabledAt: string | null;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface UserPageDto {
  items: AdminUserDto[];
  nextCursor: string | null;
}

/** A person as a team sees them (members, managers, pickers). */
export interface PersonDto {
  id: string;
  email: string;
  name: string;
  role: string;
  teamId: string | null;
  status: UserStatus;
  /** Whether their role lets them open the conversations of a team they manage. */
  canReadTeam: boolean;
}

export interface TeamDto {
  id: string;
  name: string;
  createdAt: string;
  memberCount: number;
  managers: PersonDto[];
}

export interface PermissionInfoDto {
  id: string;
  description: string;
  /** The built-in roles that hold it. */
  builtInRoles: string[];
}

export interface RoleDto {
  key: string;
  name: string;
  description: string;
  builtIn: boolean;
  /** Effective permissions: from the catalog for built-in roles, from the role for custom ones. */
  permissions: string[];
  userCount: number;
  mappingCount: number;
}

export interface RolesDto {
  permissions: PermissionInfoDto[];
  roles: RoleDto[];
}

export interface GroupMappingDto {
  group: string;
  roleKey: string | null;
  teamId: string | null;
}

export interface SettingsDto {
  org: { id: string; name: string; slug: string };
  emailDomains: string[];
  /** Those of emailDomains that are verified (by the operator, or by DNS): only they provision people. */
  verifiedEmailDomains: string[];
  /** The DNS record that proves a domain is this org's, at that domain. */
  domainVerification: { recordType: "TXT"; value: string };
  devLoginEnabled: boolean;
  /** What the audit trail keeps of each chat turn. */
  auditContent: "full" | "redacted" | "hashes";
  /** Conversations are deleted this many days after their last activity; null keeps them. */
  retentionDays: number | null;
  groupMappings: GroupMappingDto[];
  /** What a group mapping may point at. */
  options: { roles: Array<{ key: string; name: string }>; teams: Array<{ id: string; name: string }> };
}

export interface Option {
  value: string;
  label: string;
}
