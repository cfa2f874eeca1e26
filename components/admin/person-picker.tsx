"use client";

import { useEffect, useId, useState } from "react";
import type { PersonDto } from "@/lib/admin/types";
import { Spinner } from "@/components/ui/spinner";
import { adminFetch, isAbort, messageOf } from "./api";
import { buttonClass, inputClass, useDebounced } from "./ui";

/**
 * Finds enabled people of the org by name or email and offers each as an "Add …" button: plain
 * tab order, no custom keyboard handling to get wrong.
 */
export function PersonPicker({
  label,
  actionLabel,
  exclude,
  disabled,
  onPick,
}: {
  label: string;
  actionLabel: string;
  exclude: ReadonlySet<string>;
  disabled: boolean;
  onPick: (person: PersonDto) => void;
}) {
  const id = useId();
  const [q, setQ] = useState("");
  const debounced = useDebounced(q.trim(), 250);
  // Answers are kept with the query they answer, so a stale one is never shown as current.
  const [answer, setAnswer] = useState<{ q: string; items: PersonDto[] | null; error: string | null } | null>(
    null,
  );

  useEffect(() => {
    if (!debounced) return;
    const ctrl = new AbortController();
    adminFetch<{ items: PersonDto[] }>(
      `/api/admin/people?${new URLSearchParams({ q: debounced, limit: "8" })}`,
      { signal: ctrl.signal },
    )
      .then((r) => setAnswer({ q: debounced, items: r.items, error: null }))
      .catch((e: unknown) => {
        if (!isAbort(e)) setAnswer({ q: debounced, items: null, error: messageOf(e) });
      });
    return () => ctrl.abort();
  }, [debounced]);

  const current = debounced && answer?.q === debounced ? answer : null;
  const loading = Boolean(debounced) && !current;
  const error = current?.error ?? null;
  const shown = current?.items?.filter((x) => !exclude.has(x.id)) ?? null;

  return (
    <div className="space-y-2">
      <label htmlFor={id} className="block text-xs font-medium text-neutral-600 dark:text-neutral-400">
        {label}
      </label>
      <div className="flex items-center gap-2">
        <input
          id={id}
          type="search"
          value={q}
          disabled={disabled}
          placeholder="Name or email"
          autoComplete="off"
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setQ("");
          }}
          className={`${inputClass} w-full max-w-xs`}
        />
        {loading && <Spinner label="Searching" />}
      </div>
      {error && <p className="text-xs text-red-700 dark:text-red-300">{error}</p>}
      {shown && !loading && (
        <ul className="space-y-1" aria-label={`Results for ${label}`}>
          {shown.length === 0 ? (
            <li className="text-xs text-muted">No one else matches “{debounced}”.</li>
          ) : (
            shown.map((person) => (
              <li key={person.id}>
                <button
                  type="button"
                  className={buttonClass.ghost}
                  disabled={disabled}
                  onClick={() => {
                    onPick(person);
                    setQ("");
                  }}
                >
                  {actionLabel} {person.name} ({person.email})
                </button>
              </li>
            ))
          )}
        </ul>
      )}
    </div>
  );
}
