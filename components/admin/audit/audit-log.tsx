"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { AuditActor, AuditEventSummary, AuditPageDto, ChainReport } from "@/lib/audit/console";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { adminFetch, isAbort, messageOf } from "../api";
import {
  Badge,
  buttonClass,
  EmptyState,
  ErrorAlert,
  inputClass,
  PageHeader,
  selectClass,
  SkeletonRows,
  useDebounced,
} from "../ui";
import { ACTION_GROUPS, actionLabel, actionsOf, isMenuValue } from "./actions";
import {
  eventHref,
  filterQuery,
  filtersFrom,
  hasFilters,
  NO_FILTERS,
  PAGE_SIZE,
  toInputValue,
  type AuditFilters,
} from "./filters";
import { formatMs, formatTime, shortId } from "./format";

const CUSTOM = "__custom__";

type VerifyState =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "done"; report: ChainReport }
  | { kind: "error"; message: string };

/**
 * The audit log: filters (kept in the URL), the newest events first with "Load more", exports
 * of the current filters, chain verification and the checkpoint download.
 */
export function AuditLog({
  initial,
  initialFilters,
  initialError,
  actors,
}: {
  initial: AuditPageDto;
  initialFilters: AuditFilters;
  initialError: string | null;
  actors: AuditActor[];
}) {
  const hydrated = useHydrated();
  const searchParams = useSearchParams();
  // The URL is the source of truth (it may have moved on since the server rendered the list).
  const [filters, setFilters] = useState<AuditFilters>(() => filtersFrom(searchParams));
  const [customAction, setCustomAction] = useState(() => !isMenuValue(filtersFrom(searchParams).action));
  const debouncedConversation = useDebounced(filters.conversation, 350);
  const debouncedAction = useDebounced(filters.action, 350);
  const [items, setItems] = useState<AuditEventSummary[]>(initial.items);
  const [nextCursor, setNextCursor] = useState<string | null>(initial.nextCursor);
  const [loading, setLoading] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(initialError);
  const [verify, setVerify] = useState<VerifyState>({ kind: "idle" });

  // Typed text is applied once the person pauses; selects and dates at once.
  const effective: AuditFilters = {
    ...filters,
    conversation: debouncedConversation,
    action: customAction ? debouncedAction : filters.action,
  };
  const query = filterQuery(effective);
  const shownQuery = useRef(filterQuery(initialFilters));

  useEffect(() => {
    // The server rendered the list for `initialFilters`; fetch when the filters differ from what
    // is shown (after a back navigation the URL may hold filters the restored page was not
    // rendered with) and keep the URL in step.
    if (query === shownQuery.current) return;
    shownQuery.current = query;
    const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
    window.history.replaceState(window.history.state, "", url);
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    adminFetch<AuditPageDto>(
      `/api/admin/audit/events?${filterQuery(effective, { limit: String(PAGE_SIZE) })}`,
      {
        signal: ctrl.signal,
      },
    )
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (isAbort(e)) return;
        setItems([]);
        setNextCursor(null);
        setError(messageOf(e));
        setLoading(false);
      });
    return () => ctrl.abort();
    // `effective` is what `query` encodes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await adminFetch<AuditPageDto>(
        `/api/admin/audit/events?${filterQuery(effective, { limit: String(PAGE_SIZE), cursor: nextCursor })}`,
      );
      setItems((prev) => [...prev, ...page.items.filter((e) => !prev.some((x) => x.id === e.id))]);
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoadingMore(false);
    }
  }

  async function runVerify() {
    setVerify({ kind: "running" });
    try {
      const report = await adminFetch<ChainReport>("/api/admin/audit/verify", { method: "POST" });
      setVerify({ kind: "done", report });
    } catch (e) {
      setVerify({ kind: "error", message: messageOf(e) });
    }
  }

  const set = (patch: Partial<AuditFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = hasFilters(effective);
  const exportHref = (format: "jsonl" | "csv") =>
    `/api/admin/audit/export?${filterQuery(effective, { format })}`;
  const unknownActor =
    filters.user && filters.user !== "system" && !actors.some((a) => a.id === filters.user);

  return (
    <div>
      <PageHeader
        title="Audit log"
        description="Everything recorded for your organization, newest first: sign-ins, admin changes, justified views, API keys and every step of every chat turn. Each event is sealed into a hash chain within seconds; verify it at any time."
      >
        <div className="flex flex-wrap items-center gap-2">
          <a className={buttonClass.secondary} href={exportHref("jsonl")} download>
            Export JSONL
          </a>
          <a className={buttonClass.secondary} href={exportHref("csv")} download>
            Export CSV
          </a>
          <a className={buttonClass.ghost} href="/api/admin/audit/checkpoints" download>
            Download checkpoints
          </a>
          <button
            type="button"
            className={buttonClass.primary}
            onClick={() => void runVerify()}
            disabled={!hydrated || verify.kind === "running"}
          >
            {verify.kind === "running" ? <Spinner label="Verifying the chain" /> : null}
            Verify chain
          </button>
        </div>
      </PageHeader>

      <VerifyResult state={verify} onDismiss={() => setVerify({ kind: "idle" })} />

      <div role="search" aria-label="Filter audit events" className="mb-4 flex flex-wrap items-end gap-3">
        <Labelled label="User" id="audit-user">
          <select
            id="audit-user"
            value={filters.user}
            disabled={!hydrated}
            onChange={(e) => set({ user: e.target.value })}
            className={selectClass}
          >
            <option value="">Everyone</option>
            <option value="system">System</option>
            {unknownActor && <option value={filters.user}>{shortId(filters.user, 16)}</option>}
            {actors.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.email})
              </option>
            ))}
          </select>
        </Labelled>

        <Labelled label="Action" id="audit-action">
          <select
            id="audit-action"
            value={customAction ? CUSTOM : filters.action}
            disabled={!hydrated}
            onChange={(e) => {
              if (e.target.value === CUSTOM) {
                setCustomAction(true);
                set({ action: "" });
              } else {
                setCustomAction(false);
                set({ action: e.target.value });
              }
            }}
            className={selectClass}
          >
            <option value="">All actions</option>
            {ACTION_GROUPS.map((g) => (
              <optgroup key={g.value} label={g.label}>
                <option value={g.value}>{g.allLabel}</option>
                {actionsOf(g).map((a) => (
                  <option key={a} value={a}>
                    {actionLabel(a)} ({a})
                  </option>
                ))}
              </optgroup>
            ))}
            <option value={CUSTOM}>Other prefix…</option>
          </select>
        </Labelled>

        {customAction && (
          <Labelled label="Action prefix" id="audit-action-prefix">
            <input
              id="audit-action-prefix"
              type="text"
              placeholder="chat. or user.role_changed"
              value={filters.action}
              disabled={!hydrated}
              onChange={(e) => set({ action: e.target.value })}
              className={`${inputClass} w-52`}
              autoComplete="off"
              spellCheck={false}
            />
          </Labelled>
        )}

        <Labelled label="Conversation" id="audit-conversation">
          <input
            id="audit-conversation"
            type="text"
            placeholder="Conversation id"
            value={filters.conversation}
            disabled={!hydrated}
            onChange={(e) => set({ conversation: e.target.value })}
            className={`${inputClass} w-56`}
            autoComplete="off"
            spellCheck={false}
          />
        </Labelled>

        <Labelled label="Outcome" id="audit-outcome">
          <select
            id="audit-outcome"
            value={filters.outcome}
            disabled={!hydrated}
            onChange={(e) => set({ outcome: e.target.value })}
            className={selectClass}
          >
            <option value="">Any outcome</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </select>
        </Labelled>

        <Labelled label="From (UTC)" id="audit-from">
          <input
            id="audit-from"
            type="datetime-local"
            value={toInputValue(filters.from)}
            disabled={!hydrated}
            onChange={(e) => set({ from: e.target.value })}
            className={inputClass}
          />
        </Labelled>

        <Labelled label="To (UTC)" id="audit-to">
          <input
            id="audit-to"
            type="datetime-local"
            value={toInputValue(filters.to)}
            disabled={!hydrated}
            onChange={(e) => set({ to: e.target.value })}
            className={inputClass}
          />
        </Labelled>

        {hasFilters(filters) && (
          <button
            type="button"
            className={buttonClass.ghost}
            disabled={!hydrated}
            onClick={() => {
              setCustomAction(false);
              setFilters(NO_FILTERS);
            }}
          >
            Clear filters
          </button>
        )}
      </div>

      {error && (
        <div className="mb-3">
          <ErrorAlert onDismiss={() => setError(null)}>{error}</ErrorAlert>
        </div>
      )}

      {!loading && items.length === 0 ? (
        error ? null : (
          <EmptyState title={filtered ? "No events match these filters." : "No events recorded yet."}>
            {filtered ? (
              <button
                type="button"
                className="underline"
                onClick={() => {
                  setCustomAction(false);
                  setFilters(NO_FILTERS);
                }}
              >
                Clear the filters
              </button>
            ) : (
              "Sign-ins, admin changes and chat turns appear here as they happen."
            )}
          </EmptyState>
        )
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-neutral-200 dark:border-neutral-800">
          <table className="w-full min-w-[52rem] text-left text-sm" aria-label="Audit events">
            <thead className="border-b border-neutral-200 bg-neutral-50 text-xs text-neutral-500 uppercase dark:border-neutral-800 dark:bg-neutral-900">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Time (UTC)
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Actor
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Action
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Target
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Outcome
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Latency
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Seal
                </th>
              </tr>
            </thead>
            {loading ? (
              <SkeletonRows
                rows={Math.min(Math.max(items.length, 4), 10)}
                cols={7}
                label="Loading audit events"
              />
            ) : (
              <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800" data-testid="audit-rows">
                {items.map((e) => (
                  <tr
                    key={e.id}
                    data-testid="audit-row"
                    data-id={e.id}
                    data-action={e.action}
                    data-actor={e.actorId ?? "system"}
                    data-target={e.target ? `${e.target.type}:${e.target.id}` : ""}
                    className="align-top hover:bg-neutral-50 dark:hover:bg-neutral-900/60"
                  >
                    <td className="px-3 py-2 whitespace-nowrap tabular-nums">{formatTime(e.createdAt)}</td>
                    <td className="px-3 py-2">
                      {e.actor ? (
                        <>
                          <div className="font-medium">{e.actor.name}</div>
                          <div className="text-xs text-neutral-500">{e.actor.email}</div>
                        </>
                      ) : e.actorId ? (
                        <code className="font-mono text-xs">{shortId(e.actorId, 14)}</code>
                      ) : (
                        <span className="text-neutral-500">System</span>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      <Link
                        href={eventHref(e.id, query)}
                        className="font-medium underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-neutral-500"
                        aria-label={`${actionLabel(e.action)} by ${e.actor?.name ?? (e.actorId ? "an unknown person" : "the system")} at ${formatTime(e.createdAt)} UTC: details`}
                      >
                        {actionLabel(e.action)}
                      </Link>
                      <div className="font-mono text-xs text-neutral-500">{e.action}</div>
                    </td>
                    <td className="px-3 py-2">
                      {e.target ? (
                        <>
                          <div className="text-xs text-neutral-500">{e.target.type}</div>
                          <code className="font-mono text-xs" title={e.target.id}>
                            {shortId(e.target.id, 18)}
                          </code>
                        </>
                      ) : (
                        <span className="text-neutral-400">—</span>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      <Badge tone={e.outcome === "success" ? "green" : "red"}>{e.outcome}</Badge>
                    </td>
                    <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">
                      {formatMs(e.latencyMs)}
                    </td>
                    <td className="px-3 py-2">
                      {e.sealed ? (
                        <Badge tone="blue" title="Sealed into the hash chain">
                          #{e.seq}
                        </Badge>
                      ) : (
                        <Badge tone="amber" title="Sealed within seconds">
                          Pending
                        </Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            )}
          </table>
        </div>
      )}

      {nextCursor && !loading && (
        <div className="mt-3 flex justify-center">
          <button
            type="button"
            className={buttonClass.secondary}
            onClick={() => void loadMore()}
            disabled={loadingMore || !hydrated}
          >
            {loadingMore ? <Spinner label="Loading more events" /> : "Load more"}
          </button>
        </div>
      )}
    </div>
  );
}

function Labelled({ label, id, children }: { label: string; id: string; children: React.ReactNode }) {
  return (
    <div className="flex max-w-full min-w-0 flex-col gap-1 [&>select]:max-w-full">
      <label htmlFor={id} className="text-xs font-medium text-neutral-600 dark:text-neutral-400">
        {label}
      </label>
      {children}
    </div>
  );
}

function VerifyResult({ state, onDismiss }: { state: VerifyState; onDismiss: () => void }) {
  if (state.kind === "idle" || state.kind === "running") {
    return (
      <div role="status" className="sr-only">
        {state.kind === "running" ? "Verifying the chain…" : ""}
      </div>
    );
  }
  if (state.kind === "error") {
    return (
      <div className="mb-4">
        <ErrorAlert onDismiss={onDismiss}>Verification could not run: {state.message}</ErrorAlert>
      </div>
    );
  }
  const r = state.report;
  if (r.ok) {
    return (
      <div
        role="status"
        data-testid="verify-result"
        className="mb-4 flex items-start gap-2 rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
      >
        <span className="flex-1">
          <strong>Chain intact:</strong> {r.checked} events, head #{r.lastSeq}, {r.checkpoints} signed
          checkpoint
          {r.checkpoints === 1 ? "" : "s"}.
        </span>
        <button type="button" onClick={onDismiss} className="text-xs underline">
          Dismiss
        </button>
      </div>
    );
  }
  const b = r.firstBroken;
  return (
    <div className="mb-4" data-testid="verify-result">
      <ErrorAlert onDismiss={onDismiss}>
        <strong>Chain broken at #{b?.seq ?? "?"}:</strong> {b?.reason ?? "unknown reason"}.
        {b?.eventId && (
          <>
            {" "}
            <Link className="underline" href={eventHref(b.eventId)}>
              Open event {shortId(b.eventId, 12)}
            </Link>
          </>
        )}{" "}
        {r.checked} events verified before it.
      </ErrorAlert>
    </div>
  );
}
