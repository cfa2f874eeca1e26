import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { checkedId, parseInput, requirePermission, type UseCaseContext } from "./common";
import { TeamNameBody, type TeamNameInput } from "./team-name";

/** PATCH /api/admin/teams/{id} `{name}`. */
export async function renameTeam(
  p: Principal,
  input: { teamId: string; body: TeamNameInput },
  ctx: UseCaseContext = {},
): Promise<{ id: string; name: string }> {
  requirePermission(p, "team.manage");
  const teamId = checkedId(input.teamId, "Team");
  const { name } = parseInput(TeamNameBody, input.body);
  return db.for(p).admin.write(ctx.requestId, async (w) => {
    const team = await w.findTeam(teamId);
    if (!team) throw AppError.notFound("Team");
    if (team.name === name) return team;
    const clash = await w.findTeamByName(name);
    if (clash && clash.id !== teamId) {
      throw new AppError("conflict", `A team named “${clash.name}” already exists.`, {
        fields: [{ field: "name", message: "already in use" }],
      });
    }
    await w.renameTeam(teamId, name);
    await w.audit("team.renamed", { type: "team", id: teamId }, { from: team.name, to: name });
    return { id: teamId, name };
  });
}
