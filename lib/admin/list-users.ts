import { z } from "zod";
import { plainText } from "@/lib/http/text";
import { db } from "@/lib/db";
import type { Principal } from "@/lib/principal";
import { parseInput, requirePermission, type UseCaseContext } from "./common";
import { userDto } from "./dto";
import type { UserPageDto } from "./types";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/**
 * GET /api/admin/users. Sorted by name (A→Z) unless `sort=newest` (most recently created
 * first); either way keyset-paginated: pass `nextCursor` back as `cursor`, with the same sort.
 */
export const ListUsersQuery = z.object({
  q: z.preprocess(blankToUndefined, plainText().trim().max(200, "at most 200 characters").optional()),
  role: z.preprocess(blankToUndefined, plainText().trim().max(40).optional()),
  /** A team id, or "none" for people without a team. */
  teamId: z.preprocess(blankToUndefined, plainText().trim().max(128).optional()),
  status: z.preprocess(blankToUndefined, z.enum(["active", "disabled"]).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(["name", "newest"]).default("name")),
  limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100).default(25)),
  cursor: z.preprocess(blankToUndefined, plainText().max(1024).optional()),
});
export type ListUsersInput = z.input<typeof ListUsersQuery>;

export async function listUsers(
  p: Principal,
  input: ListUsersInput,
  _ctx: UseCaseContext = {},
): Promise<UserPageDto> {
  requirePermission(p, "user.manage");
  const q = parseInput(ListUsersQuery, input);
  const page = await db.for(p).admin.listUsers({
    search: q.q,
    role: q.role,
    teamId: q.teamId,
    status: q.status,
    sort: q.sort,
    limit: q.limit,
    cursor: q.cursor,
  });
  return { items: page.items.map(userDto), nextCursor: page.nextCursor };
}
