"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { Spinner } from "@/components/ui/spinner";
import { isAbort, messageOf } from "./api";

export const buttonClass = {
  primary:
    "inline-flex items-center justify-center gap-2 rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-neutral-500 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-white dark:text-neutral-900 dark:hover:bg-neutral-200",
  secondary:
    "inline-flex items-center justify-center gap-2 rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-neutral-500 disabled:cursor-not-allowed disabled:opacity-50 dark:border-neutral-700 dark:hover:bg-neutral-800",
  danger:
    "inline-flex items-center justify-center gap-2 rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-500 disabled:cursor-not-allowed disabled:opacity-50",
  ghost:
    "inline-flex items-center justify-center gap-1 rounded px-2 py-1 text-xs font-medium text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900 focus-visible:outline-2 focus-visible:outline-neutral-500 disabled:cursor-not-allowed disabled:opacity-40 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-neutral-100",
} as const;

export const inputClass =
  "rounded-md border border-neutral-300 bg-transparent px-2.5 py-1.5 text-sm focus-visible:border-neutral-500 focus-visible:outline-none aria-[invalid=true]:border-red-600 disabled:opacity-50 dark:border-neutral-700";

export const selectClass =
  "rounded-md border border-neutral-300 bg-white px-2 py-1.5 text-sm focus-visible:border-neutral-500 focus-visible:outline-none disabled:opacity-50 dark:border-neutral-700 dark:bg-neutral-900";

export interface SelectOption {
  value: string;
  label: string;
}

/**
 * A select over plain options, optionally led by an "empty" choice (value ""), such as "Keep
 * role" or "No team". Hands the chosen value, not the event, to `onChange`.
 */
export function OptionSelect({
  options,
  empty,
  onChange,
  ...rest
}: {
  options: readonly SelectOption[];
  empty?: string;
  onChange: (value: string) => void;
} & Omit<React.SelectHTMLAttributes<HTMLSelectElement>, "onChange" | "children" | "className">) {
  return (
    <select {...rest} onChange={(e) => onChange(e.target.value)} className={selectClass}>
      {empty !== undefined && <option value="">{empty}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

export function PageHeader({
  title,
  description,
  children,
}: {
  title: string;
  description: string;
  children?: React.ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-xl font-semibold">{title}</h1>
        <p className="mt-1 max-w-2xl text-sm text-neutral-600 dark:text-neutral-400">{description}</p>
      </div>
      {children}
    </div>
  );
}

export function Badge({
  tone = "neutral",
  children,
  title,
}: {
  tone?: "neutral" | "red" | "amber" | "green" | "blue";
  children: React.ReactNode;
  title?: string;
}) {
  const tones = {
    neutral: "bg-neutral-100 text-neutral-700 dark:bg-neutral-800 dark:text-neutral-300",
    red: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
    amber: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
    green: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
    blue: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  } as const;
  return (
    <span
      title={title}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${tones[tone]}`}
    >
      {children}
    </span>
  );
}

export function ErrorAlert({ children, onDismiss }: { children: React.ReactNode; onDismiss?: () => void }) {
  return (
    <div
      role="alert"
      className="flex items-start gap-2 rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
    >
      <span className="flex-1">{children}</span>
      {onDismiss && (
        <button type="button" onClick={onDismiss} className="text-xs underline" aria-label="Dismiss">
          Dismiss
        </button>
      )}
    </div>
  );
}

/**
 * An ErrorAlert in its own spaced block (`className`), shown while there is a message; the
 * common "error with Dismiss" under a form, a list or a card.
 */
export function DismissibleError({
  message,
  onDismiss,
  className,
  id,
}: {
  message: React.ReactNode;
  onDismiss: () => void;
  className: string;
  id?: string;
}) {
  if (!message) return null;
  return (
    <div id={id} className={className}>
      <ErrorAlert onDismiss={onDismiss}>{message}</ErrorAlert>
    </div>
  );
}

export function Notice({ children }: { children: React.ReactNode }) {
  return (
    <div
      role="status"
      className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
    >
      {children}
    </div>
  );
}

/** A short-lived "Saved" that screen readers announce. */
export function SavedFlag({ show, children = "Saved" }: { show: boolean; children?: React.ReactNode }) {
  return (
    <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
      {show ? children : ""}
    </span>
  );
}

export function useFlag(ms = 2500): [boolean, () => void] {
  const [on, setOn] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return [
    on,
    () => {
      setOn(true);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setOn(false), ms);
    },
  ];
}

/**
 * One action at a time (a save, a create, a delete): `busy` while it runs, and what it threw
 * (`error`, for field messages; `message`, for an alert) until the next run or `clearError`.
 */
export function useAsyncAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** Runs `fn`; resolves true if it succeeded, false if it threw (the error is kept). */
  async function run(fn: () => Promise<void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }
  return {
    busy,
    error,
    message: error === null ? null : messageOf(error),
    run,
    setError,
    clearError: () => setError(null),
  };
}

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A list shown a page at a time ("Load more"): the first page comes from the server render,
 * `showFirstPage` replaces it when the filters change, `loadMore` appends the next page (items
 * already shown are not repeated), and `error` is the message of the last fetch that failed.
 */
export function usePagedList<T extends { id: string }>(
  initial: CursorPage<T>,
  initialError: string | null = null,
) {
  const [items, setItems] = useState<T[]>(initial.items);
  const [nextCursor, setNextCursor] = useState<string | null>(initial.nextCursor);
  const [loading, setLoading] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(initialError);

  /**
   * Fetches the first page for new filters; returns the cleanup that cancels it (for an effect).
   * With `clearOnError`, a failed fetch also empties the list instead of leaving the old one.
   */
  const showFirstPage = useCallback(
    (fetchPage: (signal: AbortSignal) => Promise<CursorPage<T>>, opts: { clearOnError?: boolean } = {}) => {
      const ctrl = new AbortController();
      setLoading(true);
      setError(null);
      fetchPage(ctrl.signal)
        .then((page) => {
          setItems(page.items);
          setNextCursor(page.nextCursor);
          setLoading(false);
        })
        .catch((e: unknown) => {
          if (isAbort(e)) return;
          if (opts.clearOnError) {
            setItems([]);
            setNextCursor(null);
          }
          setError(messageOf(e));
          setLoading(false);
        });
      return () => ctrl.abort();
    },
    [],
  );

  async function loadMore(fetchPage: (cursor: string) => Promise<CursorPage<T>>) {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await fetchPage(nextCursor);
      setItems((prev) => [...prev, ...page.items.filter((x) => !prev.some((y) => y.id === x.id))]);
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoadingMore(false);
    }
  }

  return {
    items,
    setItems,
    nextCursor,
    loading,
    loadingMore,
    error,
    clearError: () => setError(null),
    showFirstPage,
    loadMore,
  };
}

/** The "Load more" button under a paged list; its spinner says what is loading. */
export function LoadMoreButton({
  loading,
  disabled,
  loadingLabel,
  onLoadMore,
}: {
  loading: boolean;
  disabled: boolean;
  loadingLabel: string;
  onLoadMore: () => void;
}) {
  return (
    <div className="mt-3 flex justify-center">
      <button
        type="button"
        className={buttonClass.secondary}
        onClick={onLoadMore}
        disabled={loading || disabled}
      >
        {loading ? <Spinner label={loadingLabel} /> : "Load more"}
      </button>
    </div>
  );
}

export interface ListColumn {
  /** The header's content (an sr-only span for a column of buttons). */
  label: React.ReactNode;
  align?: "right";
}

/**
 * A console list as a bordered, horizontally scrolling table: the column headers, then skeleton
 * rows while `loading`, else the rows (`children`) in a tbody with `rowsTestId`.
 */
export function ListTable({
  label,
  minWidthClass,
  columns,
  loading,
  skeletonRows,
  loadingLabel,
  rowsTestId,
  keyboardScroll = false,
  children,
}: {
  label: string;
  /** A Tailwind min-width (e.g. `min-w-[44rem]`), under which the table scrolls. */
  minWidthClass: string;
  columns: readonly ListColumn[];
  loading: boolean;
  skeletonRows: number;
  loadingLabel: string;
  rowsTestId: string;
  /**
   * For a table without controls of its own: the scrolling box takes keyboard focus, so that
   * someone without a mouse can scroll it sideways (WCAG 2.1.1).
   */
  keyboardScroll?: boolean;
  children: React.ReactNode;
}) {
  return (
    <div
      className="relative overflow-x-auto rounded-lg border border-neutral-200 focus-visible:outline-2 focus-visible:outline-neutral-500 dark:border-neutral-800"
      {...(keyboardScroll ? { tabIndex: 0, role: "region", "aria-label": label } : {})}
    >
      <table className={`w-full ${minWidthClass} text-left text-sm`} aria-label={label}>
        <thead className="border-b border-neutral-200 bg-neutral-50 text-xs text-muted uppercase dark:border-neutral-800 dark:bg-neutral-900">
          <tr>
            {columns.map((c, i) => (
              <th
                key={i}
                scope="col"
                className={c.align === "right" ? "px-3 py-2 text-right font-medium" : "px-3 py-2 font-medium"}
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        {loading ? (
          <SkeletonRows rows={skeletonRows} cols={columns.length} label={loadingLabel} />
        ) : (
          <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800" data-testid={rowsTestId}>
            {children}
          </tbody>
        )}
      </table>
    </div>
  );
}

/** A form control with its visible label above it (`className` lays out the pair). */
export function LabelledField({
  id,
  label,
  className = "flex flex-col gap-1",
  children,
}: {
  id: string;
  label: React.ReactNode;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="text-xs font-medium text-neutral-600 dark:text-neutral-400">
        {label}
      </label>
      {children}
    </div>
  );
}

export function SkeletonRows({ rows, cols, label }: { rows: number; cols: number; label: string }) {
  return (
    <tbody aria-label={label} aria-busy="true">
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r}>
          {Array.from({ length: cols }, (_, c) => (
            <td key={c} className="px-3 py-3">
              <div
                className="h-4 animate-pulse rounded bg-neutral-200 dark:bg-neutral-800"
                style={{ width: `${50 + ((r * 7 + c * 13) % 45)}%` }}
              />
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-neutral-300 p-8 text-center dark:border-neutral-700">
      <p className="font-medium">{title}</p>
      {children && <div className="mt-1 text-sm text-neutral-600 dark:text-neutral-400">{children}</div>}
    </div>
  );
}

export function useDebounced<T>(value: T, ms = 300): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}
