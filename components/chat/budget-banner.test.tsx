import { describe, expect, it } from "vitest";
import type { EnclaveUIMessage } from "@/lib/chat/ui-messages";
import { budgetWarningText, dismissalKey, latestBudgetWarning } from "./budget-banner";

const warning = { percent: 84.6, budget: "your monthly budget of $20.00", resetsAt: "2027-01-01T00:00:00.000Z" };
const msg = (role: "user" | "assistant", metadata: EnclaveUIMessage["metadata"] = {}): EnclaveUIMessage => ({ id: crypto.randomUUID(), role, parts: [], metadata });

describe("the budget warning banner", () => {
  it("follows the newest assistant message only", () => {
    expect(latestBudgetWarning([])).toBeNull();
    expect(latestBudgetWarning([msg("assistant", { budgetWarning: warning }), msg("user")])).toEqual(warning);
    // A newer reply without the warning (a new period, a raised budget) clears it.
    expect(latestBudgetWarning([msg("assistant", { budgetWarning: warning }), msg("user"), msg("assistant")])).toBeNull();
  });

  it("says how much is used and when it resets, the same on server and browser", () => {
    expect(budgetWarningText(warning)).toBe("You have used 85% of your monthly budget of $20.00. It resets on Jan 1, 2027.");
    expect(budgetWarningText({ ...warning, resetsAt: "whenever" })).toBe("You have used 85% of your monthly budget of $20.00.");
  });

  it("a dismissal holds for that budget's period, not the next one", () => {
    expect(dismissalKey(warning)).toBe(dismissalKey({ ...warning, percent: 91 }));
    expect(dismissalKey(warning)).not.toBe(dismissalKey({ ...warning, resetsAt: "2027-02-01T00:00:00.000Z" }));
  });
});
