import type { CallGuard, CallGuardActual, CallGuardEstimate } from "@/lib/models/gateway";
import { limitRefusal, type LimitReason } from "./refusals";
import type { MinuteWindows } from "./windows";

/** One token window a turn's calls count against: the user's, the org's. */
export interface TokenBudget {
  reason: Extract<LimitReason, "user_tpm" | "org_tpm">;
  key: string;
  limit: number;
}

/**
 * Tokens per minute for every model call of one turn (plan, specialists, aggregator): before a
 * call its estimate (prompt + reply reserve) is added to each window; if that passes a limit the
 * addition is taken back and the call refused, so the turn stops there with what it has. After
 * the call the reservation is reconciled to what was really used (a cached or failed call uses
 * nothing).
 */
export class TokenGuard implements CallGuard {
  private readonly reserved = new Map<CallGuardEstimate, number>();

  constructor(
    private readonly windows: MinuteWindows,
    private readonly budgets: TokenBudget[],
  ) {}

  async beforeCall(estimate: CallGuardEstimate): Promise<void> {
    if (this.budgets.length === 0) return;
    const n = Math.max(1, estimate.inputTokens + estimate.outputTokens);
    const counts = await Promise.all(this.budgets.map((b) => this.windows.add("tokens", b.key, n)));
    const over = this.budgets.findIndex((b, i) => counts[i]!.used > b.limit);
    if (over >= 0) {
      await Promise.all(this.budgets.map((b) => this.windows.subtract("tokens", b.key, n)));
      const b = this.budgets[over]!;
      throw limitRefusal({ reason: b.reason, limit: b.limit, used: counts[over]!.used - n, retryAfterMs: counts[over]!.msBeforeNext });
    }
    this.reserved.set(estimate, n);
  }

  afterCall(estimate: CallGuardEstimate, actual: CallGuardActual | null): void {
    const n = this.reserved.get(estimate);
    if (n === undefined) return;
    this.reserved.delete(estimate);
    const used = actual && !actual.cached ? actual.inputTokens + actual.outputTokens : 0;
    const delta = used - n;
    if (delta === 0) return;
    for (const b of this.budgets) {
      // Off the call's path; a lost adjustment errs by one call's difference for one minute.
      const p = delta > 0 ? this.windows.add("tokens", b.key, delta) : this.windows.subtract("tokens", b.key, -delta);
      void p.catch(() => {});
    }
  }
}

/** A guard that lets every call through (no token limit applies). */
export const OPEN_GUARD: CallGuard = {
  async beforeCall() {},
  afterCall() {},
};
