import { db } from "@/lib/db";
import type { AdminWriter, PersonRecord } from "@/lib/db/repositories/admin";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { checkedId, requirePermission, type UseCaseContext } from "./common";

/**
 * The start every /api/admin/teams/{id}/(managers|members)/{userId} use case shares: it needs
 * `team.manage`; then, in the org-locked transaction, the team and the person must both be the
 * org's ("not found" otherwise, the team checked first). `fn` does the rest with them.
 */
export async function withTeamAndPerson<T>(
  p: Principal,
  input: { teamId: string; userId: string },
  ctx: UseCaseContext,
  fn: (w: AdminWriter, team: { id: string; name: string }, person: PersonRecord) => Promise<T>,
): Promise<T> {
  requirePermission(p, "team.manage");
  const teamId = checkedId(input.teamId, "Team");
  const userId = checkedId(input.userId, "User");
  return db.for(p).admin.write(ctx.requestId, async (w) => {
    const team = await w.findTeam(teamId);
    if (!team) throw AppError.notFound("Team");
    const person = await w.findPerson(userId);
    if (!person) throw AppError.notFound("User");
    return fn(w, team, person);
  });
}
