import { X } from "lucide-react";
import Link from "next/link";
import { eventHref } from "./filters";
import { formatMs, formatTime } from "./format";
import { layoutTimeline, type TimelineStep } from "./timeline-layout";

/**
 * A chat turn's steps as a horizontal bar chart (plain CSS, no chart library): one row per step,
 * placed by its start relative to the turn's start and sized by its duration. Every row also
 * says its timing in words (and links to that step's event), and the same numbers are available
 * as a table, so nothing depends on seeing the bars.
 */
export function StepTimeline({
  steps,
  currentId,
  backQuery,
}: {
  steps: readonly TimelineStep[];
  currentId: string;
  backQuery: string;
}) {
  const { bars, totalMs, startedAt } = layoutTimeline(steps);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <section aria-labelledby="timeline-heading" className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="timeline-heading" className="text-base font-semibold">
          Step timeline
        </h2>
        <p className="text-xs text-muted">
          {bars.length} steps over {formatMs(totalMs)}
          {startedAt ? ` · turn began ${formatTime(startedAt, { ms: true })} UTC` : ""}
        </p>
      </div>

      <div className="rounded-lg border border-neutral-200 p-3 dark:border-neutral-800">
        {/* Axis */}
        <div
          className="mb-2 hidden grid-cols-[12rem_1fr_6rem] gap-3 text-[11px] text-muted sm:grid"
          aria-hidden="true"
        >
          <span />
          <div className="relative h-4">
            {ticks.map((f) => (
              <span
                key={f}
                className="absolute top-0 -translate-x-1/2 whitespace-nowrap tabular-nums first:translate-x-0 last:-translate-x-full"
                style={{ left: `${f * 100}%` }}
              >
                {formatMs(Math.round(totalMs * f))}
              </span>
            ))}
          </div>
          <span />
        </div>

        <ol aria-label="Steps of this turn, in order" className="space-y-1.5" data-testid="step-timeline">
          {bars.map((b) => {
            const current = b.id === currentId;
            const failed = b.outcome !== "success";
            const words = b.instant
              ? `at +${formatMs(b.startMs)}`
              : `from +${formatMs(b.startMs)}, took ${formatMs(b.durationMs)}`;
            return (
              <li
                key={b.id}
                data-testid="timeline-bar"
                data-action={b.action}
                aria-current={current ? "true" : undefined}
                className={`grid grid-cols-1 items-center gap-x-3 gap-y-1 rounded px-1 py-1 sm:grid-cols-[12rem_1fr_6rem] ${current ? "bg-sky-50 dark:bg-sky-950/60" : ""}`}
              >
                <Link
                  href={eventHref(b.id, backQuery)}
                  className="truncate text-sm underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-neutral-500"
                  aria-label={`${b.label}${failed ? " (failed)" : ""}: ${words}`}
                >
                  {b.label}
                  {failed && <X className="ml-1 inline size-3.5 align-[-2px] text-red-700 dark:text-red-400" />}
                </Link>
                <div
                  className="relative h-4 rounded bg-neutral-100 dark:bg-neutral-800/70"
                  aria-hidden="true"
                >
                  {ticks.slice(1, -1).map((f) => (
                    <span
                      key={f}
                      className="absolute inset-y-0 w-px bg-neutral-200 dark:bg-neutral-700"
                      style={{ left: `${f * 100}%` }}
                    />
                  ))}
                  {b.instant ? (
                    <span
                      className="absolute top-1/2 size-3 -translate-x-1/2 -translate-y-1/2 rotate-45 rounded-[2px] bg-neutral-700 dark:bg-neutral-200"
                      style={{ left: `${b.left}%` }}
                    />
                  ) : (
                    <span
                      className={`absolute inset-y-0.5 rounded-sm ${failed ? "bg-red-500 dark:bg-red-500" : b.action === "chat.tool_call" ? "bg-amber-500" : b.action === "chat.model_call" ? "bg-sky-600 dark:bg-sky-500" : "bg-emerald-600 dark:bg-emerald-500"}`}
                      style={{ left: `${b.left}%`, width: `${b.width}%` }}
                    />
                  )}
                </div>
                <span className="text-xs text-neutral-600 tabular-nums sm:text-right dark:text-neutral-400">
                  {b.instant ? `+${formatMs(b.startMs)}` : formatMs(b.durationMs)}
                </span>
              </li>
            );
          })}
        </ol>
      </div>

      <details className="text-sm">
        <summary className="cursor-pointer text-neutral-600 underline-offset-2 hover:underline dark:text-neutral-400">
          Timings as a table
        </summary>
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-left text-sm" aria-label="Step timings">
            <thead className="text-xs text-muted uppercase">
              <tr>
                <th scope="col" className="px-2 py-1 font-medium">
                  Step
                </th>
                <th scope="col" className="px-2 py-1 font-medium">
                  Starts at
                </th>
                <th scope="col" className="px-2 py-1 font-medium">
                  Duration
                </th>
                <th scope="col" className="px-2 py-1 font-medium">
                  Outcome
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800">
              {bars.map((b) => (
                <tr key={b.id}>
                  <td className="px-2 py-1">{b.label}</td>
                  <td className="px-2 py-1 tabular-nums">+{formatMs(b.startMs)}</td>
                  <td className="px-2 py-1 tabular-nums">{b.instant ? "—" : formatMs(b.durationMs)}</td>
                  <td className="px-2 py-1">{b.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
