import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { checkedId, requirePermission, type UseCaseContext } from "./common";
import { personDto } from "./dto";
import { withTeamAndPerson } from "./team-person";
import type { PersonDto } from "./types";
import { applyUserChange } from "./update-user";

/**
 * Team membership is User.teamId (one team per person). PUT /api/admin/teams/{id}/members/{userId}
 * moves the person into the team (out of any other); idempotent.
 */
export async function setTeamMember(
  p: Principal,
  input: { teamId: string; userId: string },
  ctx: UseCaseContext = {},
): Promise<PersonDto> {
  return withTeamAndPerson(p, input, ctx, async (w, team, before) => {
    await applyUserChange(w, p, before, { teamId: team.id });
    return personDto({ ...before, teamId: team.id });
  });
}

/** DELETE /api/admin/teams/{id}/members/{userId}: leaves the person without a team; idempotent. */
export async function removeTeamMember(
  p: Principal,
  input: { teamId: string; userId: string },
  ctx: UseCaseContext = {},
): Promise<void> {
  await withTeamAndPerson(p, input, ctx, async (w, team, before) => {
    if (before.teamId === team.id) await applyUserChange(w, p, before, { teamId: null });
  });
}

/** The name for it: set a person's team (or none). */
export async function setUserTeam(
  p: Principal,
  input: { userId: string; teamId: string | null },
  ctx: UseCaseContext = {},
): Promise<void> {
  if (input.teamId === null) {
    requirePermission(p, "team.manage");
    const userId = checkedId(input.userId, "User");
    await db.for(p).admin.write(ctx.requestId, async (w) => {
      const before = await w.findPerson(userId);
      if (!before) throw AppError.notFound("User");
      await applyUserChange(w, p, before, { teamId: null });
    });
    return;
  }
  await setTeamMember(p, { teamId: input.teamId, userId: input.userId }, ctx);
}
