import { z } from "zod";
import { authorize, effectivePermissions, type Permission } from "@/lib/authz";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";

/** What every admin use case receives besides its input: the request, for the audit trail. */
export interface UseCaseContext {
  requestId?: string;
}

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
