import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { checkedId, requirePermission, type UseCaseContext } from "./common";

/**
 * DELETE /api/admin/teams/{id}. Its members stay, without a team; its manager assignments and
 * the SSO group mappings that pointed at it go with it (the audit event records how many).
 */
export async function deleteTeam(
  p: Principal,
  input: { teamId: string },
  ctx: UseCaseContext = {},
): Promise<void> {
  requirePermission(p, "team.manage");
  const teamId = checkedId(input.teamId, "Team");
  await db.for(p).admin.write(ctx.requestId, async (w) => {
    const team = await w.findTeam(teamId);
    if (!team) throw AppError.notFound("Team");
    const footprint = await w.teamFootprint(teamId);
    await w.deleteTeam(teamId);
    await w.audit(
      "team.deleted",
      { type: "team", id: teamId },
      { from: { name: team.name, ...footprint }, to: null },
    );
  });
}
