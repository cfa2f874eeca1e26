"use client";

import { AlertTriangle, Check, ChevronRight, CircleSlash, Clock, Loader2 } from "lucide-react";
import { useId, useState } from "react";
import {
  agentLabel,
  branchStatusText,
  formatDuration,
  liveAnnouncement,
  planText,
  rowState,
  summaryLine,
  type BranchItem,
  type RowState,
  type TraceView,
} from "./trace-model";

/**
 * What the agent team did for one answer. Open while the turn runs (each branch live with a
 * spinner, then its duration or its error); once the answer is done, one line that expands to
 * each branch's output. Changes inside are not announced (aria-live="off", the message list
 * around it is a live region); one polite region says the newest event instead.
 */
export function AgentTrace({ view, live }: { view: TraceView; live: boolean }) {
  const bodyId = useId();
  // The reader's own choice holds for the phase in which it was made: a trace opened by hand
  // after the answer stays open; the automatic collapse happens once, when the turn ends.
  const [choice, setChoice] = useState<{ live: boolean; open: boolean } | null>(null);
  const open = choice && choice.live === live ? choice.open : live;
  const headline = live ? `Working: ${planText(view, true)}` : summaryLine(view);

  return (
    // Not a landmark (one per answer would be many regions of the same name), just a group.
    <div
      role="group"
      aria-label="Agent trace"
      aria-live="off"
      data-testid="agent-trace"
      data-live={live ? "true" : "false"}
      className="rounded-lg border border-neutral-200 text-xs text-neutral-600 dark:border-neutral-800 dark:text-neutral-400"
    >
      <button
        type="button"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => setChoice({ live, open: !open })}
        className="flex w-full items-center gap-1.5 rounded-lg px-2 py-1.5 text-left hover:bg-neutral-50 focus-visible:outline-2 focus-visible:outline-offset-2 dark:hover:bg-neutral-900"
        data-testid="trace-toggle"
      >
        <ChevronRight aria-hidden className={`size-3.5 shrink-0 motion-safe:transition-transform ${open ? "rotate-90" : ""}`} />
        {live && <StateIcon state="running" />}
        <span className="font-medium">{headline}</span>
      </button>
      {open && (
        <div id={bodyId} className="space-y-2 border-t border-neutral-200 px-2 py-2 dark:border-neutral-800" data-testid="trace-body">
          <PlanLine view={view} live={live} />
          {view.branches.length > 0 && (
            <ul className="space-y-1.5" aria-label="Specialists">
              {view.branches.map((b) => (
                <BranchRow key={b.agent} branch={b} live={live} showOutput={!live} />
              ))}
            </ul>
          )}
          {view.aggregate && (
            <p className="flex items-center gap-1.5" data-testid="trace-aggregate" data-status={rowState(view.aggregate.status, live)}>
              <StateIcon state={rowState(view.aggregate.status, live)} />
              <span>
                Answer · {view.aggregate.tier}
                {view.aggregate.model ? ` · ${view.aggregate.model}` : ""}
                {view.aggregate.latencyMs !== undefined && view.aggregate.status !== "running" ? ` · ${formatDuration(view.aggregate.latencyMs)}` : ""}
                {view.aggregate.status === "failed" ? " · failed" : ""}
              </span>
            </p>
          )}
          {view.memories.length > 0 && (
            <div data-testid="trace-memories">
              <p className="font-medium">Used memories</p>
              <ul className="ml-4 list-disc">
                {view.memories.map((m) => (
                  <li key={m.id} className="whitespace-pre-wrap break-words">
                    {m.text}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
      <p role="status" aria-live="polite" aria-atomic="true" className="sr-only" data-testid="trace-announcement">
        {live ? liveAnnouncement(view) : ""}
      </p>
    </div>
  );
}

function PlanLine({ view, live }: { view: TraceView; live: boolean }) {
  const plan = view.plan;
  const state: RowState = plan ? rowState(plan.status, live) : live ? "running" : "stopped";
  return (
    <p className="flex flex-wrap items-center gap-1.5" data-testid="trace-plan" data-status={state}>
      <StateIcon state={state} />
      <span>
        Plan: {planText(view, live)}
        {plan?.status === "done" && plan.latencyMs !== undefined ? ` · ${formatDuration(plan.latencyMs)}` : ""}
      </span>
      {plan?.source === "rules" && (
        // Quiet on purpose: the answer is still right; an admin reading the trace learns why.
        <span className="text-neutral-500 dark:text-neutral-400" title={plan.fallbackReason} data-testid="trace-rules-plan">
          (rules plan{plan.fallbackReason ? `: ${plan.fallbackReason}` : ""})
        </span>
      )}
    </p>
  );
}

function BranchRow({ branch: b, live, showOutput }: { branch: BranchItem; live: boolean; showOutput: boolean }) {
  const state = rowState(b.status, live);
  return (
    <li data-testid="trace-branch" data-agent={b.agent} data-status={state}>
      <div className="flex flex-wrap items-center gap-1.5">
        <StateIcon state={state} />
        <span className="font-medium text-neutral-800 dark:text-neutral-200">{agentLabel(b.agent)}</span>
        <span>
          · {b.tier}
          {b.model ? ` · ${b.model}` : ""}
        </span>
        <span className={state === "failed" || state === "timeout" ? "text-red-700 dark:text-red-400" : ""} data-testid="trace-branch-status">
          · {branchStatusText(b, live)}
        </span>
      </div>
      {b.task && <p className="ml-5 text-neutral-500 dark:text-neutral-400">{b.task}</p>}
      {showOutput && b.output && (
        <p className="mt-1 ml-5 max-h-60 overflow-y-auto rounded bg-neutral-50 p-2 font-mono whitespace-pre-wrap break-words text-neutral-700 dark:bg-neutral-900 dark:text-neutral-300" data-testid="trace-branch-output">
          {b.output}
        </p>
      )}
    </li>
  );
}

const ICON = "size-3.5 shrink-0";

function StateIcon({ state }: { state: RowState }) {
  switch (state) {
    case "running":
      // The spinner turns only for people who have not asked for reduced motion.
      return <Loader2 aria-hidden className={`${ICON} motion-safe:animate-spin`} data-testid="trace-spinner" />;
    case "done":
      return <Check aria-hidden className={`${ICON} text-emerald-600`} />;
    case "timeout":
      return <Clock aria-hidden className={`${ICON} text-red-600`} />;
    case "failed":
      return <AlertTriangle aria-hidden className={`${ICON} text-red-600`} />;
    case "stopped":
      return <CircleSlash aria-hidden className={`${ICON} text-amber-600`} />;
  }
}
