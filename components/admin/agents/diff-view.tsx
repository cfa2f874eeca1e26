import type { AgentHistoryItemDto } from "@/lib/agents/versions";
import { formatTimeout, tierLabel } from "./format";

type Diff = NonNullable<AgentHistoryItemDto["diff"]>;

const LINE = {
  same: { sign: " ", sr: "", className: "text-neutral-700 dark:text-neutral-300" },
  add: { sign: "+", sr: "Added: ", className: "bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200" },
  del: { sign: "−", sr: "Removed: ", className: "bg-red-50 text-red-900 line-through decoration-red-400/60 dark:bg-red-950 dark:text-red-200" },
} as const;

function fieldValue(field: Diff["changes"][number]["field"], v: unknown, roleName: (k: string) => string): string {
  if (field === "tier") return tierLabel(v === "large" ? "large" : "small");
  if (field === "timeoutMs") return typeof v === "number" ? formatTimeout(v) : String(v);
  if (field === "enabled") return v ? "enabled" : "disabled";
  const list = Array.isArray(v) ? (v as string[]) : [];
  return list.length === 0 ? "everyone" : list.map(roleName).join(", ");
}

const FIELD_LABEL = { tier: "Tier", timeoutMs: "Timeout", enabled: "Status", allowedRoles: "Allowed roles" } as const;

/** What one version changed against the one before it: the other fields, then the instructions line by line. */
export function DiffView({ diff, roleName }: { diff: Diff; roleName: (key: string) => string }) {
  return (
    <div className="space-y-2" data-testid="version-diff">
      {diff.changes.length > 0 && (
        <ul className="space-y-0.5 text-xs">
          {diff.changes.map((c) => (
            <li key={c.field}>
              <span className="font-medium">{FIELD_LABEL[c.field]}:</span> {fieldValue(c.field, c.from, roleName)} →{" "}
              {fieldValue(c.field, c.to, roleName)}
            </li>
          ))}
        </ul>
      )}
      {diff.added + diff.removed === 0 ? (
        <p className="text-xs text-muted">Instructions unchanged.</p>
      ) : (
        <pre className="max-h-96 overflow-auto rounded-md border border-neutral-200 bg-neutral-50 py-1 font-mono text-xs leading-5 whitespace-pre-wrap dark:border-neutral-800 dark:bg-neutral-900">
          {diff.lines.map((l, i) =>
            l.op === "skip" ? (
              <div key={i} className="px-2 text-muted italic">
                … {l.count} unchanged {l.count === 1 ? "line" : "lines"}
              </div>
            ) : (
              <div key={i} className={`px-2 ${LINE[l.op].className}`} data-op={l.op}>
                <span aria-hidden="true" className="mr-2 select-none">
                  {LINE[l.op].sign}
                </span>
                {LINE[l.op].sr && <span className="sr-only">{LINE[l.op].sr}</span>}
                {l.text || " "}
              </div>
            ),
          )}
        </pre>
      )}
    </div>
  );
}
