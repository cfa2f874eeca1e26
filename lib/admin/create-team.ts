import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { parseInput, requirePermission, type UseCaseContext } from "./common";
import { teamDto } from "./dto";
import { TeamNameBody, type TeamNameInput } from "./team-name";
import type { TeamDto } from "./types";

/** POST /api/admin/teams `{name}`. Team names are unique in the org, ignoring case. */
export async function createTeam(
  p: Principal,
  input: TeamNameInput,
  ctx: UseCaseContext = {},
): Promise<TeamDto> {
  requirePermission(p, "team.manage");
  const { name } = parseInput(TeamNameBody, input);
  return db.for(p).admin.write(ctx.requestId, async (w) => {
    const existing = await w.findTeamByName(name);
    if (existing)
      throw new AppError("conflict", `A team named “${existing.name}” already exists.`, {
        fields: [{ field: "name", message: "already in use" }],
      });
    const team = await w.createTeam(name);
    await w.audit("team.created", { type: "team", id: team.id }, { from: null, to: { name } });
    return teamDto({ ...team, memberCount: 0, managers: [] });
  });
}
