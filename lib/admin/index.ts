/** Admin console use cases: each takes (principal, input, { requestId }) and checks its permission. */
export { type UseCaseContext } from "./common";
export { GUARDED_ROLE } from "@/lib/authz";
export type * from "./types";
export { listUsers, ListUsersQuery } from "./list-users";
export {
  updateUser,
  getUser,
  UpdateUserBody,
  changeUserRole,
  changeUserTeam,
  deactivateUser,
  reactivateUser,
} from "./update-user";
export { listTeams, listTeamMembers, searchPeople, SearchPeopleQuery } from "./list-teams";
export { TeamNameBody } from "./team-name";
export { createTeam } from "./create-team";
export { renameTeam } from "./rename-team";
export { deleteTeam } from "./delete-team";
export { addTeamManager, removeTeamManager } from "./team-managers";
export { setTeamMember, removeTeamMember, setUserTeam } from "./team-members";
export { listRoles, createRole, updateRole, deleteRole, CreateRoleBody, UpdateRoleBody } from "./roles";
export { getSettings, updateSettings, UpdateSettingsBody } from "./settings";
export { listRoleOptions, listTeamOptions } from "./options";
