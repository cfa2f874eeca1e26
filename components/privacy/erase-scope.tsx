"use client";

export type EraseScope = "content" | "account";

/** What each scope of an erasure removes, in the words the confirmation shows. */
export const ERASE_SCOPES: ReadonlyArray<{
  value: EraseScope;
  label: string;
  goes: string[];
  stays: string;
}> = [
  {
    value: "content",
    label: "Conversations and memory",
    goes: [
      "every conversation and its messages",
      "memories",
      "data-export archives",
      "cached answers and rate-limit counters",
    ],
    stays: "The account stays: sign-in, role, team, API keys and preferences.",
  },
  {
    value: "account",
    label: "The whole account",
    goes: [
      "everything above",
      "the account itself, its sessions and API keys",
      "preferences, personal limits and budgets",
    ],
    stays: "Spend already recorded stays in the organization's usage, under an anonymous id.",
  },
];

/** The scope choice and, for the chosen one, what goes and what stays. */
export function EraseScopeFields({
  scope,
  onScope,
  name,
  disabled,
}: {
  scope: EraseScope;
  onScope: (s: EraseScope) => void;
  name: string;
  disabled?: boolean;
}) {
  const chosen = ERASE_SCOPES.find((s) => s.value === scope)!;
  return (
    <div className="space-y-3">
      <fieldset className="space-y-1" disabled={disabled}>
        <legend className="text-sm font-medium">What to erase</legend>
        {ERASE_SCOPES.map((s) => (
          <label key={s.value} className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name={name}
              value={s.value}
              checked={scope === s.value}
              onChange={() => onScope(s.value)}
            />
            {s.label}
          </label>
        ))}
      </fieldset>
      <div className="text-sm" data-testid="erase-summary">
        <p>This erases, for good:</p>
        <ul className="ml-5 list-disc">
          {chosen.goes.map((g) => (
            <li key={g}>{g}</li>
          ))}
        </ul>
        <p className="mt-1 text-muted">{chosen.stays}</p>
      </div>
    </div>
  );
}
