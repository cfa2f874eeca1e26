"use client";

import { useId, useState } from "react";

export interface TableColumn {
  label: string;
  align?: "right";
}

/**
 * A chart with its text alternative: a one-sentence summary (read by screen readers with the
 * chart, shown under it) and the same figures as a table, one toggle away.
 */
export function ChartCard({
  title,
  summary,
  columns,
  rows,
  testId,
  children,
}: {
  title: string;
  summary: string;
  columns: readonly TableColumn[];
  rows: ReadonlyArray<ReadonlyArray<string>>;
  testId: string;
  children: React.ReactNode;
}) {
  const [asTable, setAsTable] = useState(false);
  const summaryId = useId();
  return (
    <section className="rounded-lg border border-neutral-200 p-4 dark:border-neutral-800" aria-labelledby={`${summaryId}-title`} data-testid={testId}>
      <div className="mb-3 flex items-center justify-between gap-2">
        <h2 id={`${summaryId}-title`} className="text-sm font-semibold">
          {title}
        </h2>
        <button
          type="button"
          aria-pressed={asTable}
          onClick={() => setAsTable((v) => !v)}
          className="rounded px-2 py-1 text-xs font-medium text-neutral-600 hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-neutral-500 dark:text-neutral-400 dark:hover:bg-neutral-800"
        >
          {asTable ? "Show chart" : "Show table"}
        </button>
      </div>
      {asTable ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" aria-label={title}>
            <thead className="text-xs text-neutral-500 uppercase">
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col" className={c.align === "right" ? "px-2 py-1 text-right font-medium" : "px-2 py-1 font-medium"}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800">
              {rows.map((r, i) => (
                <tr key={i}>
                  {r.map((cell, j) => (
                    <td key={j} className={columns[j]?.align === "right" ? "px-2 py-1 text-right tabular-nums" : "px-2 py-1"}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <figure role="img" aria-label={`${title}: ${summary}`} className="h-64 w-full">
          {children}
        </figure>
      )}
      <p id={summaryId} className="mt-2 text-xs text-neutral-600 dark:text-neutral-400">
        {summary}
      </p>
    </section>
  );
}
