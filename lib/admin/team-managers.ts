import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { checkedId, requirePermission, type UseCaseContext } from "./common";
import { personDto } from "./dto";
import type { PersonDto } from "./types";

/**
 * PUT /api/admin/teams/{id}/managers/{userId}. Idempotent. A manager needs a role with
 * `conversation.read.team` to open the team's conversations; one without it is still assigned,
 * and the answer says so (`canReadTeam: false`) for the console to warn.
 */
export async function addTeamManager(
  p: Principal,
  input: { teamId: string; userId: string },
  ctx: UseCaseContext = {},
): Promise<PersonDto> {
  requirePermission(p, "team.manage");
  const teamId = checkedId(input.teamId, "Team");
  const userId = checkedId(input.userId, "User");
  return db.for(p).admin.write(ctx.requestId, async (w) => {
    const team = await w.findTeam(teamId);
    if (!team) throw AppError.notFound("Team");
    const user = await w.findPerson(userId);
    if (!user) throw AppError.notFound("User");
    if (!(await w.isManager(teamId, userId))) {
      if (user.disabledAt)
        throw new AppError(
          "conflict",
          `${user.email} is deactivated; reactivate them before making them a manager.`,
        );
      await w.addManager(teamId, userId);
      await w.audit(
        "team.manager_added",
        { type: "team", id: teamId },
        { team: team.name, userId, email: user.email, from: null, to: user.email },
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
  requirePermission(p, "team.manage");
  const teamId = checkedId(input.teamId, "Team");
  const userId = checkedId(input.userId, "User");
  await db.for(p).admin.write(ctx.requestId, async (w) => {
    const team = await w.findTeam(teamId);
    if (!team) throw AppError.notFound("Team");
    const user = await w.findPerson(userId);
    if (!user) throw AppError.notFound("User");
    if (await w.removeManager(teamId, userId)) {
      await w.audit(
        "team.manager_removed",
        { type: "team", id: teamId },
        { team: team.name, userId, email: user.email, from: user.email, to: null },
      );
    }
  });
}
