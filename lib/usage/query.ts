import { z } from "zod";
import type { UsageFilters } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { plainText } from "@/lib/http/text";

/**
 * The dashboards' filters, from the URL query (the pages keep them there, so a view can be
 * shared and reloaded): from/to as UTC days (default: the last 30 days), team, user, model.
 */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-12-01")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "is not a real date");
const MAX_DAYS = 400;

export const UsageQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    // Text that cannot be stored (NUL, unpaired surrogates) is a 422 here, not a failed query.
    team: plainText().trim().min(1).max(64).optional(),
    user: plainText().trim().min(1).max(64).optional(),
    model: plainText().trim().min(1).max(200).optional(),
  })
  .strict();
export type UsageQuery = z.infer<typeof UsageQuery>;

/** Parses URLSearchParams (or a page's searchParams) into filters; 422 naming the field when bad. */
export function parseUsageQuery(input: URLSearchParams | Record<string, string | string[] | undefined>, now = new Date()): { query: UsageQuery; filters: UsageFilters } {
  const raw: Record<string, string> = {};
  const entries = input instanceof URLSearchParams ? [...input.entries()] : Object.entries(input).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v] as const);
  for (const [k, v] of entries) if (typeof v === "string" && v !== "") raw[k] = v;
  const r = UsageQuery.safeParse(raw);
  if (!r.success) throw AppError.fromZod(r.error);
  const q = r.data;
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const to = q.to ? new Date(`${q.to}T00:00:00Z`) : today;
  const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 29 * 86_400_000);
  if (from > to) throw new AppError("validation_failed", "Invalid request: from: must not be after to", { fields: [{ field: "from", message: "must not be after to" }] });
  if ((to.getTime() - from.getTime()) / 86_400_000 > MAX_DAYS) {
    throw new AppError("validation_failed", `Invalid request: from: the range may span at most ${MAX_DAYS} days`, { fields: [{ field: "from", message: `at most ${MAX_DAYS} days before to` }] });
  }
  return { query: q, filters: { from, to, ...(q.team ? { teamId: q.team } : {}), ...(q.user ? { userId: q.user } : {}), ...(q.model ? { model: q.model } : {}) } };
}

export const dayString = (d: Date) => d.toISOString().slice(0, 10);
