import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { defaultLimits, LimitValue, resolveLimits, type OverrideLike } from "./resolve";

const base = defaultLimits(parseEnv({ RATE_LIMIT_USER_RPM: "10", RATE_LIMIT_ORG_TPM: "100000" }));
const o = (scope: OverrideLike["scope"], subjectId: string, v: Partial<OverrideLike>): OverrideLike => ({
  scope,
  subjectId,
  userRpm: null,
  userTpm: null,
  maxConcurrentTurns: null,
  ...v,
});

describe("limit resolution", () => {
  it("the environment gives the defaults: unset is no limit, concurrency 3", () => {
    expect(defaultLimits(parseEnv({}))).toEqual({ userRpm: undefined, userTpm: undefined, orgRpm: undefined, orgTpm: undefined, maxConcurrentTurns: 3 });
    expect(base).toMatchObject({ userRpm: 10, orgTpm: 100_000, maxConcurrentTurns: 3 });
  });

  it("most specific wins, field by field: user > team > role > default; a null field inherits", () => {
    const overrides = [
      o("role", "member", { userRpm: 20, userTpm: 5_000, maxConcurrentTurns: 2 }),
      o("team", "t1", { userRpm: 30 }),
      o("user", "u1", { maxConcurrentTurns: 5 }),
      o("user", "someone-else", { userRpm: 1 }),
      o("role", "admin", { userRpm: 999 }),
    ];
    const { limits, source } = resolveLimits(base, overrides, { userId: "u1", role: "member", teamId: "t1" });
    expect(limits).toMatchObject({ userRpm: 30, userTpm: 5_000, maxConcurrentTurns: 5, orgTpm: 100_000 });
    expect(source).toEqual({ userRpm: "team", userTpm: "role", maxConcurrentTurns: "user" });

    // No team: the role's; another member with no overrides of their own.
    expect(resolveLimits(base, overrides, { userId: "u2", role: "member", teamId: null }).limits).toMatchObject({ userRpm: 20, maxConcurrentTurns: 2 });
    // Nothing matches: the defaults.
    expect(resolveLimits(base, overrides, { userId: "u3", role: "auditor", teamId: "t9" })).toEqual({
      limits: base,
      source: { userRpm: "default", userTpm: "default", maxConcurrentTurns: "default" },
    });
  });

  it("a user override may loosen what the role tightened", () => {
    const { limits } = resolveLimits(base, [o("role", "member", { userRpm: 2 }), o("user", "u1", { userRpm: 50 })], { userId: "u1", role: "member", teamId: null });
    expect(limits.userRpm).toBe(50);
  });
});

describe("limit values", () => {
  it("a whole number from 1 to 10^9; negative, fractional, non-numeric and absurd values are refused with a reason", () => {
    expect(LimitValue.parse(1)).toBe(1);
    expect(LimitValue.parse(1_000_000_000)).toBe(1_000_000_000);
    for (const [v, msg] of [
      [-1, /at least 1/],
      [0, /at least 1/],
      [2.5, /whole number/],
      [1_000_000_001, /at most 1000000000/],
      ["12", /whole number/],
      [Number.NaN, /whole number/],
    ] as const) {
      const r = LimitValue.safeParse(v);
      expect(r.success, String(v)).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(msg);
    }
  });

  it("the environment refuses bad limits at start-up, naming the variable", () => {
    for (const name of ["RATE_LIMIT_USER_RPM", "RATE_LIMIT_USER_TPM", "RATE_LIMIT_ORG_RPM", "RATE_LIMIT_ORG_TPM", "USER_MAX_CONCURRENT_TURNS"]) {
      for (const bad of ["-5", "ten", "1e10", "0", "3.5"]) {
        expect(() => parseEnv({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(`${name}: must`));
      }
      expect(() => parseEnv({ [name]: "1000000000" })).not.toThrow();
    }
  });
});
