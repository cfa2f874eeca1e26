import { z } from "zod";
import { plainText } from "@/lib/http/text";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { checkedId, parseInput, requirePermission, type UseCaseContext } from "./common";
import { personDto, teamDto } from "./dto";
import type { PersonDto, TeamDto } from "./types";

/** GET /api/admin/teams: every team of the org by name, with its member count and managers. */
export async function listTeams(
  p: Principal,
  _input: Record<string, never> = {},
  _ctx: UseCaseContext = {},
): Promise<TeamDto[]> {
  requirePermission(p, "team.manage");
  return (await db.for(p).admin.listTeams()).map(teamDto);
}

const MEMBERS_LIMIT = 500;

/** GET /api/admin/teams/{id}/members: the team's members by name (at most 500). */
export async function listTeamMembers(
  p: Principal,
  input: { teamId: string },
  _ctx: UseCaseContext = {},
): Promise<PersonDto[]> {
  requirePermission(p, "team.manage");
  const members = await db.for(p).admin.listTeamMembers(checkedId(input.teamId, "Team"), MEMBERS_LIMIT);
  if (!members) throw AppError.notFound("Team");
  return members.map(personDto);
}

export const SearchPeopleQuery = z.object({
  q: plainText().trim().max(200, "at most 200 characters").default(""),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

/** GET /api/admin/people?q=: enabled people of the org to pick as a team's member or manager. */
export async function searchPeople(
  p: Principal,
  input: z.input<typeof SearchPeopleQuery>,
  _ctx: UseCaseContext = {},
): Promise<PersonDto[]> {
  requirePermission(p, "team.manage");
  const q = parseInput(SearchPeopleQuery, input);
  return (await db.for(p).admin.searchPeople(q.q, q.limit)).map(personDto);
}
