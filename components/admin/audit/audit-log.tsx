"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { AuditActor, AuditEventSummary, AuditPageDto, ChainReport } from "@/lib/audit/console";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { adminFetch, messageOf } from "../api";
import {
  Badge,
  buttonClass,
  DismissibleError,
  EmptyState,
  ErrorAlert,
  inputClass,
  LabelledField,
  type ListColumn,
  ListTable,
  LoadMoreButton,
  PageHeader,
  selectClass,
  useDebounced,
  usePagedList,
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

const EVENT_COLUMNS: readonly ListColumn[] = [
  { label: "Time (UTC)" },
  { label: "Actor" },
  { label: "Action" },
  { label: "Target" },
  { label: "Outcome" },
  { label: "Latency", align: "right" },
  { label: "Seal" },
];

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
  const list = usePagedList<AuditEventSummary>(initial, initialError);
  const { items, error, showFirstPage } = list;
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
    return showFirstPage(
      (signal) =>
        adminFetch<AuditPageDto>(
          `/api/admin/audit/events?${filterQuery(effective, { limit: String(PAGE_SIZE) })}`,
          { signal },
        ),
      { clearOnError: true },
    );
    // `effective` is what `query` encodes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, showFirstPage]);

  const loadMore = () =>
    list.loadMore((cursor) =>
      adminFetch<AuditPageDto>(
        `/api/admin/audit/events?${filterQuery(effective, { limit: String(PAGE_SIZE), cursor })}`,
      ),
    );

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

      <DismissibleError className="mb-3" message={error} onDismiss={list.clearError} />

      {!list.loading && items.length === 0 ? (
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
        <ListTable
          label="Audit events"
          minWidthClass="min-w-[52rem]"
          columns={EVENT_COLUMNS}
          loading={list.loading}
          skeletonRows={Math.min(Math.max(items.length, 4), 10)}
          loadingLabel="Loading audit events"
          rowsTestId="audit-rows"
        >
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
                    <div className="text-xs text-muted">{e.actor.email}</div>
                  </>
                ) : e.actorId ? (
                  <code className="font-mono text-xs">{shortId(e.actorId, 14)}</code>
                ) : (
                  <span className="text-muted">System</span>
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
                <div className="font-mono text-xs text-muted">{e.action}</div>
              </td>
              <td className="px-3 py-2">
                {e.target ? (
                  <>
                    <div className="text-xs text-muted">{e.target.type}</div>
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
              <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">{formatMs(e.latencyMs)}</td>
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
        </ListTable>
      )}

      {list.nextCursor && !list.loading && (
        <LoadMoreButton
          loading={list.loadingMore}
          disabled={!hydrated}
          loadingLabel="Loading more events"
          onLoadMore={() => void loadMore()}
        />
      )}
    </div>
  );
}

/** A filter with its label; a long select may shrink to the row's width. */
function Labelled({ label, id, children }: { label: string; id: string; children: React.ReactNode }) {
  return (
    <LabelledField
      id={id}
      label={label}
      className="flex max-w-full min-w-0 flex-col gap-1 [&>select]:max-w-full"
    >
      {children}
    </LabelledField>
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
