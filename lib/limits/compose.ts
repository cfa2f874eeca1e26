import type { CallGuard, CallGuardActual, CallGuardEstimate } from "@/lib/models/gateway";

/**
 * Several guards as one (token limits here, budgets in lib/usage): asked in order before a call;
 * if one refuses, those already asked are told the call did not happen (afterCall with null), so
 * nothing stays reserved. After the call every guard is told, each on its own (one throwing does
 * not keep the others from reconciling).
 */
export function composeGuards(...guards: Array<CallGuard | null | undefined>): CallGuard {
  const list = guards.filter((g): g is CallGuard => Boolean(g));
  if (list.length === 1) return list[0]!;
  return {
    async beforeCall(estimate: CallGuardEstimate) {
      const asked: CallGuard[] = [];
      try {
        for (const g of list) {
          await g.beforeCall(estimate);
          asked.push(g);
        }
      } catch (refusal) {
        for (const g of asked) safely(() => g.afterCall(estimate, null));
        throw refusal;
      }
    },
    afterCall(estimate: CallGuardEstimate, actual: CallGuardActual | null) {
      for (const g of list) safely(() => g.afterCall(estimate, actual));
    },
  };
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // One guard's bookkeeping must not stop another's.
  }
}
