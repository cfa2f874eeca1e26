import { z } from "zod";
import { db } from "@/lib/db";
import { erasedPseudonym } from "@/lib/db/repositories/erasure";
import { GUARDED_ROLE, missingGrants } from "@/lib/authz";
import { permissionsOfRole, requirePermission } from "@/lib/admin/common";
import { AppError } from "@/lib/errors/app-error";
import { jobs } from "@/lib/jobs";
import { isPlausibleId } from "@/lib/jobs/ids";
import type { Principal } from "@/lib/principal";
import { ERASURE_JOB_KIND, type ErasureScope } from "./erasure-job";

/**
 * Erasing a person's data (POST /api/me/erase, POST /api/admin/users/:id/erase), as a background
 * job (lib/privacy/erasure-job) that any instance can resume. `content` erases conversations,
 * memories, export archives, cached responses and limiter state and keeps the account;
 * `account` erases the account too, its sessions and keys first.
 */

export const EraseBody = z
  .object({
    scope: z.enum(["account", "content"], {
      error: 'scope must be "account" (the whole account and its sessions) or "content" (conversations, memory and cached responses; the account stays)',
    }),
  })
  .strict();
export type EraseInput = z.input<typeof EraseBody>;

function parseScope(input: unknown): ErasureScope {
  const r = EraseBody.safeParse(input);
  if (!r.success) throw AppError.fromZod(r.error);
  return r.data.scope;
}

const lastAdmin = (email: string, self: boolean) =>
  new AppError(
    "conflict",
    self
      ? "You are the only active admin of this organization. Make someone else an admin before you erase your account."
      : `${email} is the only active admin of this organization. Make someone else an admin before you erase their account.`,
    { reason: "last_admin" },
  );

/** Checks made under the org's admin lock: the target, the actor's reach, the last admin. */
async function checkTarget(p: Principal, userId: string, scope: ErasureScope, opts: { self: boolean; requestId?: string }): Promise<{ email: string }> {
  return db.for(p).admin.write(opts.requestId, async (w) => {
    const person = await w.findPerson(userId);
    if (!person) throw AppError.notFound("User");
    if (!opts.self) {
      const beyond = missingGrants(p, permissionsOfRole({ key: person.role, permissions: person.rolePermissions }));
      if (beyond.length > 0)
        throw new AppError("forbidden", `You cannot erase ${person.email}: their role has permissions you do not hold (${beyond.join(", ")}).`);
    }
    if (scope === "account" && person.role === GUARDED_ROLE && !person.disabledAt && (await w.countActiveWithRole(GUARDED_ROLE)) <= 1)
      throw lastAdmin(person.email, opts.self);
    return { email: person.email };
  });
}

/** Erase my own data: 202 with the job's id. */
export async function startMyErasure(p: Principal, input: unknown, opts: { requestId?: string } = {}): Promise<{ id: string }> {
  requirePermission(p, "data.erase.own");
  const scope = parseScope(input);
  await checkTarget(p, p.userId, scope, { self: true, requestId: opts.requestId });
  return jobs().enqueue(
    ERASURE_JOB_KIND,
    { userId: p.userId, scope },
    { orgId: p.orgId, userId: p.userId, startedById: p.userId },
    { audit: (jobId) => requested(p, jobId, p.userId, scope, opts.requestId) },
  );
}

/**
 * An admin erases someone's data. The job is the admin's (they follow it at /api/jobs/:id, and
 * it outlives an erased account); it acts on the person named in its payload.
 */
export async function startErasureOf(p: Principal, userId: string, input: unknown, opts: { requestId?: string } = {}): Promise<{ id: string }> {
  requirePermission(p, "user.manage");
  if (!isPlausibleId(userId)) throw AppError.notFound("User");
  const scope = parseScope(input);
  await checkTarget(p, userId, scope, { self: userId === p.userId, requestId: opts.requestId });
  return jobs().enqueue(
    ERASURE_JOB_KIND,
    { userId, scope },
    { orgId: p.orgId, userId: p.userId, startedById: p.userId },
    { audit: (jobId) => requested(p, jobId, userId, scope, opts.requestId) },
  );
}

/** The request is recorded under the person's pseudonym: the trail must not keep their id after the erasure it records. */
function requested(p: Principal, jobId: string, userId: string, scope: ErasureScope, requestId?: string) {
  const self = userId === p.userId;
  return {
    orgId: p.orgId,
    actorId: self ? null : p.userId,
    sessionId: self ? null : p.sessionId,
    requestId: requestId ?? null,
    action: "data.erasure_requested" as const,
    target: { type: "user", id: erasedPseudonym(p.orgId, userId) },
    data: { jobId, scope, by: self ? "the person" : "an admin", via: p.via },
  };
}
