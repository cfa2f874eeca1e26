import type { AdminUserRecord, PersonRecord, RoleRecord, TeamRecord } from "@/lib/db/repositories/admin";
import { PERMISSIONS } from "@/lib/authz";
import { iso, permissionsOfRole } from "./common";
import type { AdminUserDto, PermissionInfoDto, PersonDto, RoleDto, TeamDto } from "./types";

export function userDto(u: AdminUserRecord): AdminUserDto {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    roleName: u.roleName,
    team: u.team,
    managedTeams: u.managedTeams,
    status: u.disabledAt ? "disabled" : "active",
    disabledAt: iso(u.disabledAt),
    createdAt: iso(u.createdAt),
    lastSignInAt: iso(u.lastSignInAt),
  };
}

export function personDto(u: PersonRecord): PersonDto {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    teamId: u.teamId,
    status: u.disabledAt ? "disabled" : "active",
    canReadTeam: permissionsOfRole({ key: u.role, permissions: u.rolePermissions }).has(
      "conversation.read.team",
    ),
  };
}

export function teamDto(t: TeamRecord): TeamDto {
  return {
    id: t.id,
    name: t.name,
    createdAt: iso(t.createdAt),
    memberCount: t.memberCount,
    managers: t.managers.map(personDto),
  };
}

export function roleDto(r: RoleRecord): RoleDto {
  const effective = permissionsOfRole({ key: r.key, permissions: r.permissions });
  return {
    key: r.key,
    name: r.name,
    description: r.description,
    builtIn: r.builtIn,
    // In catalog order, whatever order they were stored in.
    permissions: PERMISSIONS.map((p) => p.id).filter((id) => effective.has(id)),
    userCount: r.userCount,
    mappingCount: r.mappingCount,
  };
}

export function catalogDto(): PermissionInfoDto[] {
  return PERMISSIONS.map((p) => ({ id: p.id, description: p.description, builtInRoles: [...p.roles] }));
}
