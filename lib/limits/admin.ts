import { z } from "zod";
import { checkedId, requirePermission, type UseCaseContext } from "@/lib/admin/common";
import { env } from "@/lib/config/env";
import { db, type LimitOverrideRecord, type LimitScope } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { plainText } from "@/lib/http/text";
import type { Principal } from "@/lib/principal";
import { admission, OVERRIDES_TTL_MS } from "./admission";
import { defaultLimits, LimitValue, type ResolvedLimits } from "./resolve";

/**
 * The admin console's use cases for admission limits (budget.manage): the environment's
 * defaults, and overrides per role, team or user of the org. Every change is audited (limit.set,
 * limit.removed) in its own transaction; it applies on this instance at once and everywhere
 * within OVERRIDES_TTL_MS.
 */
export const LimitScopeSchema = z.enum(["role", "team", "user"]);

/** PUT body: each limit a whole number 1..10^9, or null to inherit; at least one set. */
export const LimitOverrideBody = z
  .object({
    userRpm: LimitValue.nullable().default(null),
    userTpm: LimitValue.nullable().default(null),
    maxConcurrentTurns: LimitValue.nullable().default(null),
  })
  .strict()
  .refine((b) => b.userRpm !== null || b.userTpm !== null || b.maxConcurrentTurns !== null, {
    message: "set at least one of userRpm, userTpm, maxConcurrentTurns (or remove the override)",
    path: ["userRpm"],
  });
export type LimitOverrideBody = z.infer<typeof LimitOverrideBody>;

export interface LimitsOverview {
  defaults: ResolvedLimits;
  overrides: LimitOverrideRecord[];
  roles: Array<{ key: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
  /** How soon a change applies on every instance. */
  applyWithinSeconds: number;
}

export async function getLimitsOverview(p: Principal): Promise<LimitsOverview> {
  requirePermission(p, "budget.manage");
  const repo = db.for(p).limits;
  const [overrides, subjects] = await Promise.all([repo.listOverridesNamed(), repo.subjects()]);
  return { defaults: defaultLimits(env()), overrides, ...subjects, applyWithinSeconds: Math.ceil(OVERRIDES_TTL_MS / 1000) };
}

const Email = plainText().trim().toLowerCase().max(254).email();

/** The subject's id in this org, or 404 (unknown scope, malformed id, another org's). */
async function subjectOf(p: Principal, scope: unknown, subject: unknown): Promise<{ scope: LimitScope; subjectId: string }> {
  const s = LimitScopeSchema.safeParse(scope);
  if (!s.success) throw AppError.notFound("Limit subject");
  const repo = db.for(p).limits;
  if (s.data === "user") {
    const asEmail = Email.safeParse(subject);
    const id = await repo.findUserId(asEmail.success ? asEmail.data : checkedId(subject, "User"));
    if (!id) throw AppError.notFound("User");
    return { scope: "user", subjectId: id };
  }
  const what = s.data === "role" ? "Role" : "Team";
  const subjectId = checkedId(subject, what);
  if (!(await repo.subjectExists(s.data, subjectId))) throw AppError.notFound(what);
  return { scope: s.data, subjectId };
}

/** PUT /api/admin/limits/{scope}/{subject}: creates or replaces that subject's override. */
export async function setLimitOverride(
  p: Principal,
  input: { scope: string; subject: string; body: LimitOverrideBody },
  ctx: UseCaseContext = {},
): Promise<Omit<LimitOverrideRecord, "subjectName">> {
  requirePermission(p, "budget.manage");
  const { scope, subjectId } = await subjectOf(p, input.scope, input.subject);
  const row = await db.for(p).limits.setOverride(scope, subjectId, input.body, { requestId: ctx.requestId });
  admission().forget(p.orgId);
  return row;
}

/** DELETE /api/admin/limits/{scope}/{subject}: that subject inherits again (no override: nothing to do). */
export async function removeLimitOverride(p: Principal, input: { scope: string; subject: string }, ctx: UseCaseContext = {}): Promise<{ removed: boolean }> {
  requirePermission(p, "budget.manage");
  const { scope, subjectId } = await subjectOf(p, input.scope, input.subject);
  const repo = db.for(p).limits;
  const existing = (await repo.listOverrides()).find((o) => o.scope === scope && o.subjectId === subjectId);
  if (!existing) return { removed: false };
  const removed = await repo.removeOverride(existing.id, { requestId: ctx.requestId });
  admission().forget(p.orgId);
  return { removed };
}
