"use client";

import { useEffect, useRef, useState } from "react";
import type { DeploymentStatus, GatewayStatus } from "@/lib/models/status";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { adminFetch, isAbort, messageOf } from "./api";
import { Badge, buttonClass, EmptyState, ErrorAlert, type ListColumn, ListTable, PageHeader } from "./ui";

/** How often the page asks again while it is visible. */
export const POLL_MS = 5_000;

const COLUMNS: readonly ListColumn[] = [
  { label: "Deployment" },
  { label: "Provider" },
  { label: "Model" },
  { label: "Tiers" },
  { label: "Priority", align: "right" },
  { label: "Weight", align: "right" },
  { label: "Breaker" },
  { label: "In flight", align: "right" },
  { label: "Queue", align: "right" },
  { label: "Error rate", align: "right" },
  { label: "p95 latency", align: "right" },
];

/**
 * The model gateway's deployments, as the server process that answers sees them: polled every
 * few seconds while the tab is visible (paused while it is hidden, refreshed at once when it
 * comes back), without reloading the page.
 */
export function ModelsAdmin() {
  const hydrated = useHydrated();
  const [status, setStatus] = useState<GatewayStatus | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [paused, setPaused] = useState(false);
  const now = useNow(1_000);

  /** Asks now (and restarts the 5 s wait); set by the effect that owns the polling. */
  const refreshNow = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let inflight: AbortController | null = null;
    const cancelTimer = () => {
      if (timer) clearTimeout(timer);
      timer = null;
    };
    const refresh = async () => {
      cancelTimer();
      inflight?.abort();
      const ctrl = new AbortController();
      inflight = ctrl;
      setRefreshing(true);
      try {
        const next = await adminFetch<GatewayStatus>("/api/admin/models", { signal: ctrl.signal });
        if (stopped) return;
        setStatus(next);
        setFetchedAt(Date.now());
        setError(null);
      } catch (e) {
        if (isAbort(e) || stopped) return;
        setError(messageOf(e));
      } finally {
        // Only the latest request decides what comes next; a superseded one says nothing.
        if (inflight === ctrl && !stopped) {
          inflight = null;
          setRefreshing(false);
          if (document.visibilityState === "visible") timer = setTimeout(() => void refresh(), POLL_MS);
        }
      }
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") {
        setPaused(false);
        void refresh();
      } else {
        setPaused(true);
        cancelTimer();
      }
    };
    refreshNow.current = () => void refresh();
    document.addEventListener("visibilitychange", onVisibility);
    void refresh();
    return () => {
      stopped = true;
      document.removeEventListener("visibilitychange", onVisibility);
      cancelTimer();
      inflight?.abort();
    };
  }, []);

  const deployments = status?.deployments ?? [];
  const loading = status === null && error === null;

  return (
    <div className="space-y-4">
      <PageHeader
        title="Models"
        description={`Each model deployment of the gateway: its circuit breaker, the calls running and waiting, and its error rate and 95th-percentile latency over the last ${status?.windowMinutes ?? 15} minutes. Load and statistics are those of the server process that answers; breaker state is shared between instances when Redis is configured.`}
      >
        <div className="flex items-center gap-3">
          <span className="text-xs text-muted" data-testid="models-updated">
            {fetchedAt === null ? (loading ? "Loading…" : "Not loaded yet") : `updated ${agoText(now, fetchedAt)}`}
            {paused ? " · paused while the tab is hidden" : ""}
          </span>
          <button type="button" className={buttonClass.secondary} onClick={() => refreshNow.current()} disabled={!hydrated || refreshing}>
            {refreshing && status !== null ? <Spinner label="Refreshing" /> : null}
            Refresh now
          </button>
        </div>
      </PageHeader>

      {error && (
        <ErrorAlert>
          {status ? `Could not refresh: ${error} The table shows the last answer.` : error}
        </ErrorAlert>
      )}

      {!loading && deployments.length === 0 && !error ? (
        <EmptyState title="No model deployments">
          Enclave has no model deployment configured. Set MODEL_DEPLOYMENTS (or OPENAI_BASE_URL / OPENAI_API_KEY) and restart.
        </EmptyState>
      ) : (
        (loading || deployments.length > 0) && (
          <ListTable
            label="Model deployments"
            minWidthClass="min-w-[68rem]"
            columns={COLUMNS}
            loading={loading}
            skeletonRows={2}
            loadingLabel="Loading model deployments"
            rowsTestId="model-rows"
            keyboardScroll
          >
            {deployments.map((d) => (
              <DeploymentRow key={d.id} d={d} now={now} />
            ))}
          </ListTable>
        )
      )}
      {status && (
        <p className="text-xs text-muted">
          Routing within a priority: {status.routing === "least-busy" ? "least busy first" : "weighted random"}. Lower priority numbers are
          tried first; the others take over when they fail or their breaker is open.
        </p>
      )}
    </div>
  );
}

function DeploymentRow({ d, now }: { d: DeploymentStatus; now: number }) {
  const cell = "px-3 py-2 align-top";
  const num = `${cell} text-right tabular-nums`;
  return (
    <tr data-testid="model-row" data-deployment={d.id}>
      <th scope="row" className={`${cell} font-medium`}>
        <div>{d.label}</div>
        {d.label !== d.id && <div className="text-xs font-normal text-muted">{d.id}</div>}
        {d.baseURL && <div className="text-xs font-normal break-all text-muted">{d.baseURL}</div>}
        {d.apiKeyEnv && <div className="text-xs font-normal text-muted">key from {d.apiKeyEnv}</div>}
      </th>
      <td className={cell}>{d.provider}</td>
      <td className={`${cell} break-all`}>{d.model}</td>
      <td className={cell}>{d.tiers.join(", ")}</td>
      <td className={num}>{d.priority}</td>
      <td className={num}>{d.weight}</td>
      <td className={cell} data-testid="breaker">
        <BreakerCell breaker={d.breaker} now={now} />
      </td>
      <td className={num}>{d.inFlight}</td>
      <td className={num}>
        {d.queue ? (
          <span title={`${d.queue.inFlight} of ${d.queue.limit} slots in use, ${d.queue.depth} waiting`}>
            {d.queue.depth} waiting / limit {d.queue.limit}
          </span>
        ) : (
          <span className="text-muted">no limit</span>
        )}
      </td>
      <td className={num}>
        {d.stats.calls === 0 ? (
          <span className="text-muted">no calls</span>
        ) : (
          <>
            <div>{percent(d.stats.errorRate)}</div>
            <div className="text-xs text-muted">
              {d.stats.calls} {d.stats.calls === 1 ? "call" : "calls"}
            </div>
          </>
        )}
      </td>
      <td className={num}>{d.stats.p95Ms === null ? <span className="text-muted">–</span> : `${Math.round(d.stats.p95Ms)} ms`}</td>
    </tr>
  );
}

function BreakerCell({ breaker, now }: { breaker: DeploymentStatus["breaker"]; now: number }) {
  const tone = breaker.state === "closed" ? "green" : breaker.state === "open" ? "red" : "amber";
  const until = breaker.openUntil ? Date.parse(breaker.openUntil) : null;
  return (
    <div className="space-y-1">
      <Badge tone={tone}>{breaker.state}</Badge>
      {breaker.reason && <div className="max-w-56 text-xs">{breaker.reason}</div>}
      {until !== null && breaker.state === "open" && (
        <div className="text-xs text-muted">
          until <time dateTime={breaker.openUntil!}>{formatUntil(until, now)}</time>
        </div>
      )}
      {breaker.state === "half-open" && <div className="text-xs text-muted">the next call is a probe</div>}
    </div>
  );
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

function agoText(now: number, at: number): string {
  const s = Math.max(0, Math.floor((now - at) / 1000));
  if (s < 1) return "just now";
  if (s < 60) return `${s} s ago`;
  return `${Math.floor(s / 60)} min ago`;
}

function percent(rate: number): string {
  const p = rate * 100;
  return `${p === 0 || p >= 10 ? Math.round(p) : p.toFixed(1)} %`;
}

function formatUntil(until: number, now: number): string {
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  const at = new Date(until);
  const sameDay = at.toDateString() === new Date(now).toDateString();
  const when = sameDay ? at.toLocaleTimeString() : at.toLocaleString();
  if (left >= 24 * 3600) return when;
  return `${when} (in ${left < 120 ? `${left} s` : `${Math.round(left / 60)} min`})`;
}
