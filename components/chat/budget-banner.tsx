"use client";

import { X } from "lucide-react";
import { useSyncExternalStore } from "react";
import type { EnclaveUIMessage, MessageMetadata } from "@/lib/chat/ui-messages";

export type BudgetWarning = NonNullable<MessageMetadata["budgetWarning"]>;

/** The warning the newest assistant message carries, if any (older warnings are history). */
export function latestBudgetWarning(messages: readonly EnclaveUIMessage[]): BudgetWarning | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "assistant") return m.metadata?.budgetWarning ?? null;
  }
  return null;
}

// A fixed locale and zone: the server's render and the browser's must agree (hydration).
const DATE = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export function budgetWarningText(w: BudgetWarning): string {
  const at = Date.parse(w.resetsAt);
  const resets = Number.isNaN(at) ? "" : ` It resets on ${DATE.format(at)}.`;
  return `You have used ${Math.round(w.percent)}% of ${w.budget}.${resets}`;
}

/** One dismissal per budget period: the same warning does not come back on every reply. */
export function dismissalKey(w: BudgetWarning): string {
  return `${w.budget}|${w.resetsAt}`;
}

const STORAGE_KEY = "enclave:budget-warning-dismissed";
const SERVER = "\u0000server";
const listeners = new Set<() => void>();
let inMemory: string | null = null; // when storage is unavailable (private mode, blocked)

function readDismissed(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? inMemory;
  } catch {
    return inMemory;
  }
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  window.addEventListener("storage", onChange);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("storage", onChange);
  };
}

function dismiss(key: string): void {
  inMemory = key;
  try {
    window.localStorage.setItem(STORAGE_KEY, key);
  } catch {
    /* kept in memory for this page */
  }
  for (const l of listeners) l();
}

/** Above the composer when the user is past the budget's soft threshold; dismissible. */
export function BudgetBanner({ warning }: { warning: BudgetWarning | null }) {
  // Not rendered on the server: whether it was dismissed lives in this browser.
  const dismissed = useSyncExternalStore(subscribe, readDismissed, () => SERVER);
  if (!warning || dismissed === SERVER || dismissed === dismissalKey(warning)) return null;
  return (
    <div
      role="status"
      data-testid="budget-warning"
      className="flex items-start gap-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
    >
      <span className="flex-1">{budgetWarningText(warning)}</span>
      <button
        type="button"
        onClick={() => dismiss(dismissalKey(warning))}
        aria-label="Dismiss budget warning"
        className="rounded p-0.5 hover:bg-amber-100 focus-visible:outline-2 dark:hover:bg-amber-900"
      >
        <X aria-hidden className="size-4" />
      </button>
    </div>
  );
}
