"use client";

import { useCallback, useEffect, useState } from "react";
import type { MemoryDto, PreferencesDto } from "@/lib/memory/schema";
import { InlineAlert } from "@/components/ui/inline-alert";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { createMemory, fetchMemories, fetchPreferences, SettingsApiError } from "./memory-client";
import { MemoryPreferencesForm } from "./memory-preferences-form";
import { MemoryRow } from "./memory-row";

interface Lists {
  active: MemoryDto[];
  proposed: MemoryDto[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
}

/** Settings → Memory: preferences, the add form, proposals to accept or reject, and my memories (searchable). */
export function MemoryPanel() {
  const hydrated = useHydrated();
  const [prefs, setPrefs] = useState<PreferencesDto | null>(null);
  const [lists, setLists] = useState<Lists>({ active: [], proposed: [], nextCursor: null, loading: true, error: null });
  const [query, setQuery] = useState("");
  const [applied, setApplied] = useState("");
  const [text, setText] = useState("");
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);

  const reload = useCallback(async (q: string) => {
    setLists((s) => ({ ...s, loading: true }));
    try {
      const [active, proposed] = await Promise.all([fetchMemories({ q, status: "active" }), fetchMemories({ status: "proposed" })]);
      setLists({ active: active.items, proposed: proposed.items, nextCursor: active.nextCursor, loading: false, error: null });
    } catch (e) {
      setLists((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : "Could not load your memories." }));
    }
  }, []);

  useEffect(() => {
    void reload(applied);
  }, [reload, applied]);

  useEffect(() => {
    fetchPreferences().then(setPrefs, (e: unknown) => setLists((s) => ({ ...s, error: e instanceof Error ? e.message : "Could not load your preferences." })));
  }, []);

  async function more() {
    if (!lists.nextCursor) return;
    const page = await fetchMemories({ q: applied, status: "active", cursor: lists.nextCursor });
    setLists((s) => ({ ...s, active: [...s.active, ...page.items], nextCursor: page.nextCursor }));
  }

  async function add(e: React.FormEvent) {
    e.preventDefault();
    if (!text.trim()) {
      setAddError("Write what the assistant should remember.");
      return;
    }
    setAdding(true);
    setAddError(null);
    try {
      await createMemory(text);
      setText("");
      await reload(applied);
    } catch (err) {
      setAddError(err instanceof SettingsApiError ? (err.fields[0]?.message ?? err.message) : "Could not add the memory. Retry.");
    } finally {
      setAdding(false);
    }
  }

  const disabled = !hydrated;
  return (
    <div className="space-y-6">
      <section aria-labelledby="memory-intro" className="space-y-1 text-sm">
        <h2 id="memory-intro" className="text-base font-semibold">
          Memory
        </h2>
        <p className="text-neutral-600 dark:text-neutral-400">
          Things the assistant remembers about you across conversations. They are yours alone: no one else&apos;s assistant can use them, and
          only the memories that bear on a message are given to the assistant.
        </p>
      </section>

      {prefs ? <MemoryPreferencesForm initial={prefs} disabled={disabled} onSaved={setPrefs} /> : <div className="h-40 animate-pulse rounded-lg bg-neutral-200 dark:bg-neutral-800" />}

      <form onSubmit={(e) => void add(e)} noValidate className="space-y-2 rounded-lg border border-neutral-200 p-4 dark:border-neutral-800" aria-labelledby="add-memory-heading">
        <h3 id="add-memory-heading" className="text-sm font-semibold">
          Add a memory
        </h3>
        <label htmlFor="new-memory" className="block text-sm font-medium">
          What should the assistant remember?
        </label>
        <textarea
          id="new-memory"
          value={text}
          rows={2}
          maxLength={2000}
          disabled={disabled || adding}
          placeholder="e.g. I prefer metric units"
          aria-invalid={addError ? true : undefined}
          aria-describedby={addError ? "new-memory-error" : undefined}
          onChange={(e) => setText(e.target.value)}
          className="block w-full rounded-md border border-neutral-300 bg-transparent px-2 py-1.5 text-sm dark:border-neutral-700"
        />
        {addError && (
          <p id="new-memory-error" className="text-xs text-red-700 dark:text-red-300">
            {addError}
          </p>
        )}
        <button
          type="submit"
          disabled={disabled || adding}
          className="inline-flex items-center gap-2 rounded-lg bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40 dark:bg-white dark:text-neutral-900"
        >
          {adding && <Spinner label="Adding" />}
          Add memory
        </button>
      </form>

      {lists.error && <InlineAlert>{lists.error}</InlineAlert>}

      {lists.proposed.length > 0 && (
        <section aria-labelledby="proposed-heading">
          <h3 id="proposed-heading" className="text-sm font-semibold">
            Suggested by the assistant ({lists.proposed.length})
          </h3>
          <ul className="mt-2 space-y-2" data-testid="proposed-memory-list">
            {lists.proposed.map((m) => (
              <MemoryRow key={m.id} memory={m} onChanged={() => void reload(applied)} />
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="memories-heading" aria-busy={lists.loading}>
        <div className="flex flex-wrap items-end justify-between gap-2">
          <h3 id="memories-heading" className="text-sm font-semibold">
            Your memories
          </h3>
          <form
            role="search"
            className="flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              setApplied(query.trim());
            }}
          >
            <label htmlFor="memory-search" className="sr-only">
              Search memories
            </label>
            <input
              id="memory-search"
              type="search"
              value={query}
              disabled={disabled}
              maxLength={200}
              placeholder="Search"
              onChange={(e) => setQuery(e.target.value)}
              className="rounded-md border border-neutral-300 bg-transparent px-2 py-1 text-sm dark:border-neutral-700"
            />
            <button type="submit" disabled={disabled} className="rounded-md border border-neutral-300 px-2 py-1 text-sm dark:border-neutral-700">
              Search
            </button>
          </form>
        </div>
        {lists.loading && lists.active.length === 0 ? (
          <div className="mt-2 h-16 animate-pulse rounded-lg bg-neutral-200 dark:bg-neutral-800" aria-label="Loading memories" />
        ) : lists.active.length === 0 ? (
          <p className="mt-2 rounded-lg border border-dashed border-neutral-300 p-4 text-center text-sm text-muted dark:border-neutral-700" data-testid="memories-empty">
            {applied ? `No memory contains “${applied}”.` : "No memories yet. Add one above, or let the assistant suggest some."}
          </p>
        ) : (
          <ul className="mt-2 space-y-2" data-testid="memory-list">
            {lists.active.map((m) => (
              <MemoryRow key={m.id} memory={m} onChanged={() => void reload(applied)} />
            ))}
          </ul>
        )}
        {lists.nextCursor && (
          <button type="button" onClick={() => void more()} className="mt-2 text-sm underline">
            Show more
          </button>
        )}
      </section>
    </div>
  );
}
