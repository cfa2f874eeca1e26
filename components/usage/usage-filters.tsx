"use client";

import { usePathname, useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";

export interface FilterOptions {
  teams?: ReadonlyArray<{ id: string; name: string }>;
  people?: ReadonlyArray<{ id: string; name: string; email: string }>;
  models: readonly string[];
}

export interface FilterValues {
  from: string;
  to: string;
  team?: string;
  user?: string;
  model?: string;
}

const field = "rounded-md border border-neutral-300 bg-white px-2 py-1.5 text-sm dark:border-neutral-700 dark:bg-neutral-900";

/** The dashboard's filters, kept in the URL query (shareable, survives a reload); applying navigates. */
export function UsageFilters({ values, options }: { values: FilterValues; options: FilterOptions }) {
  const router = useRouter();
  const pathname = usePathname();
  const hydrated = useHydrated();
  const [pending, start] = useTransition();
  const [v, setV] = useState<FilterValues>(values);
  const set = (k: keyof FilterValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setV({ ...v, [k]: e.target.value });
  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, val] of Object.entries(v)) if (val) q.set(k, val);
    start(() => router.push(`${pathname}?${q.toString()}`));
  };
  return (
    <form onSubmit={apply} className="mb-6 flex flex-wrap items-end gap-3" aria-label="Usage filters">
      <label className="flex flex-col gap-1 text-xs font-medium text-neutral-600 dark:text-neutral-400">
        From
        <input type="date" name="from" value={v.from} onChange={set("from")} className={field} disabled={!hydrated} />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-neutral-600 dark:text-neutral-400">
        To
        <input type="date" name="to" value={v.to} onChange={set("to")} className={field} disabled={!hydrated} />
      </label>
      {options.teams && (
        <label className="flex flex-col gap-1 text-xs font-medium text-neutral-600 dark:text-neutral-400">
          Team
          <select name="team" value={v.team ?? ""} onChange={set("team")} className={field} disabled={!hydrated}>
            <option value="">All teams</option>
            {options.teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {options.people && (
        <label className="flex flex-col gap-1 text-xs font-medium text-neutral-600 dark:text-neutral-400">
          Person
          <select name="user" value={v.user ?? ""} onChange={set("user")} className={field} disabled={!hydrated}>
            <option value="">Everyone</option>
            {options.people.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="flex flex-col gap-1 text-xs font-medium text-neutral-600 dark:text-neutral-400">
        Model
        <select name="model" value={v.model ?? ""} onChange={set("model")} className={field} disabled={!hydrated}>
          <option value="">All models</option>
          {options.models.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        disabled={!hydrated || pending}
        className="inline-flex items-center gap-2 rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-neutral-700 disabled:opacity-50 dark:bg-white dark:text-neutral-900"
      >
        {pending && <Spinner />}
        Apply
      </button>
    </form>
  );
}
