import { z } from "zod";
import {
  authorize,
  builtInPermissions,
  effectivePermissions,
  type BuiltInRole,
  type Permission,
} from "@/lib/authz";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";

/** What every admin use case receives besides its input: the request, for the audit trail. */
export interface UseCaseContext {
  requestId?: string;
}

/**
 * The built-in role an org must always keep one enabled holder of: it is the only role that
 * holds every admin-console permission and cannot be edited, so without it nobody could repair
 * the org from the console.
 */
export const GUARDED_ROLE = "admin" satisfies BuiltInRole;

/** Ids as the database issues them (cuid); anything else cannot name a row, so it is "not found". */
const IdShape = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/);

export function checkedId(id: unknown, what: string): string {
  const r = IdShape.safeParse(id);
  if (!r.success) throw AppError.notFound(what);
  return r.data;
}

export const Id = z
  .string()
  .trim()
  .min(1, "required")
  .max(128, "too long")
  .regex(/^[A-Za-z0-9_-]+$/, "not an id");

/** Custom role keys: a slug. Built-in keys have the same shape. */
export const RoleKey = z
  .string()
  .trim()
  .min(2, "at least 2 characters")
  .max(40, "at most 40 characters")
  .regex(
    /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/,
    "use lowercase letters, digits and single hyphens, starting with a letter",
  );

/** Parses a use case's input (it may come from a route, a page or a test): unknown fields are dropped. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw AppError.fromZod(r.error);
  return r.data;
}

/** Defence in depth: the route already checked, but a page or another caller may not have. */
export function requirePermission(p: Principal, permission: Permission): void {
  authorize(p, permission);
}

/** The permissions a role gives, as lib/authz interprets it (catalog for built-in, row for custom). */
export function permissionsOfRole(role: {
  key: string;
  permissions: readonly string[];
}): ReadonlySet<Permission> {
  return effectivePermissions({ role: role.key, customRolePermissions: role.permissions });
}

/**
 * No privilege escalation through the console: nobody grants (by assigning a role, or by putting
 * permissions into a custom role) a permission they do not hold themselves. What every member
 * holds is not a privilege, and an org-wide read covers the team-wide one (an admin, who reads
 * any conversation with a justification, may make someone a manager).
 */
const BASELINE: ReadonlySet<Permission> = builtInPermissions("member");
const COVERED_BY: Partial<Record<Permission, Permission>> = {
  "conversation.read.team": "conversation.read.org",
  "usage.read.team": "usage.read.org",
};

export function missingPermissions(p: Principal, permissions: Iterable<Permission>): Permission[] {
  return [...new Set(permissions)].filter((perm) => {
    if (BASELINE.has(perm) || p.permissions.has(perm)) return false;
    const wider = COVERED_BY[perm];
    return !(wider && p.permissions.has(wider));
  });
}

export function assertMayGrant(p: Principal, permissions: Iterable<Permission>, what: string): void {
  const missing = missingPermissions(p, permissions);
  if (missing.length > 0) {
    throw new AppError(
      "forbidden",
      `You cannot grant ${what}: it includes permissions you do not hold (${missing.join(", ")}).`,
    );
  }
}

export function iso(d: Date): string;
export function iso(d: Date | null): string | null;
export function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

export function invalidField(field: string, message: string): AppError {
  return new AppError("validation_failed", `Invalid request: ${field}: ${message}`, {
    fields: [{ field, message }],
  });
}
