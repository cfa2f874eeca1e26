import { assertMayGrantTeamRead } from "@/lib/authz";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import type { UseCaseContext } from "./common";
import { personDto } from "./dto";
import { withTeamAndPerson } from "./team-person";
import type { PersonDto } from "./types";

/**
 * PUT /api/admin/teams/{id}/managers/{userId}. Idempotent. A manager needs a role with
 * `conversation.read.team` to open the team's conversations; one without it is still assigned,
 * and the answer says so (`canReadTeam: false`) for the console to warn. Only someone who may read
 * the team's conversations may hand that read out (lib/authz `mayGrantTeamRead`).
 */
export async function addTeamManager(
  p: Principal,
  input: { teamId: string; userId: string },
  ctx: UseCaseContext = {},
): Promise<PersonDto> {
  return withTeamAndPerson(p, input, ctx, async (w, team, user) => {
    if (!(await w.isManager(team.id, user.id))) {
      assertMayGrantTeamRead(p, team, `make ${user.email} a manager of “${team.name}”`);
      if (user.disabledAt)
        throw new AppError(
          "conflict",
          `${user.email} is deactivated; reactivate them before making them a manager.`,
        );
      await w.addManager(team.id, user.id);
      await w.audit(
        "team.manager_added",
        { type: "team", id: team.id },
        { team: team.name, userId: user.id, email: user.email, from: null, to: user.email },
      );
    }
    return personDto(user);
  });
}

/** DELETE /api/admin/teams/{id}/managers/{userId}. Idempotent: not a manager is already done. */
export async function removeTeamManager(
  p: Principal,
  input: { teamId: string; userId: string },
  ctx: UseCaseContext = {},
): Promise<void> {
  await withTeamAndPerson(p, input, ctx, async (w, team, user) => {
    if (await w.removeManager(team.id, user.id)) {
      await w.audit(
        "team.manager_removed",
        { type: "team", id: team.id },
        { team: team.name, userId: user.id, email: user.email, from: user.email, to: null },
      );
    }
  });
}
