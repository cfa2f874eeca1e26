import { z } from "zod";
import type { Env } from "@/lib/config/env";

/**
 * Which limits apply to one person: the environment's defaults, overridden per role, then per
 * team, then per user (the most specific wins, field by field; a null field inherits). Org-wide
 * limits come from the environment only. undefined = no limit.
 */
export const MAX_LIMIT = 1_000_000_000;

/** One limit as an admin or the environment may give it: a whole number from 1 to 10^9. */
export const LimitValue = z
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`);

export interface ResolvedLimits {
  userRpm?: number;
  userTpm?: number;
  orgRpm?: number;
  orgTpm?: number;
  maxConcurrentTurns: number;
}

export type LimitField = "userRpm" | "userTpm" | "maxConcurrentTurns";
export const OVERRIDABLE: readonly LimitField[] = ["userRpm", "userTpm", "maxConcurrentTurns"];

export interface OverrideLike {
  scope: "role" | "team" | "user";
  subjectId: string;
  userRpm: number | null;
  userTpm: number | null;
  maxConcurrentTurns: number | null;
}

export interface Subject {
  userId: string;
  role: string;
  teamId: string | null;
}

export function defaultLimits(e: Pick<Env, "RATE_LIMIT_USER_RPM" | "RATE_LIMIT_USER_TPM" | "RATE_LIMIT_ORG_RPM" | "RATE_LIMIT_ORG_TPM" | "USER_MAX_CONCURRENT_TURNS">): ResolvedLimits {
  return {
    userRpm: e.RATE_LIMIT_USER_RPM,
    userTpm: e.RATE_LIMIT_USER_TPM,
    orgRpm: e.RATE_LIMIT_ORG_RPM,
    orgTpm: e.RATE_LIMIT_ORG_TPM,
    maxConcurrentTurns: e.USER_MAX_CONCURRENT_TURNS,
  };
}

/** Where each resolved per-user field came from (the console shows it). */
export type LimitSource = "default" | "role" | "team" | "user";

export function resolveLimits(
  defaults: ResolvedLimits,
  overrides: readonly OverrideLike[],
  who: Subject,
): { limits: ResolvedLimits; source: Record<LimitField, LimitSource> } {
  const limits: ResolvedLimits = { ...defaults };
  const source: Record<LimitField, LimitSource> = { userRpm: "default", userTpm: "default", maxConcurrentTurns: "default" };
  // Least specific first, so each later level overwrites what it sets.
  const levels: Array<[LimitSource, OverrideLike | undefined]> = [
    ["role", overrides.find((o) => o.scope === "role" && o.subjectId === who.role)],
    ["team", who.teamId ? overrides.find((o) => o.scope === "team" && o.subjectId === who.teamId) : undefined],
    ["user", overrides.find((o) => o.scope === "user" && o.subjectId === who.userId)],
  ];
  for (const [level, o] of levels) {
    if (!o) continue;
    for (const f of OVERRIDABLE) {
      const v = o[f];
      if (v === null || v === undefined) continue;
      limits[f] = v;
      source[f] = level;
    }
  }
  return { limits, source };
}
