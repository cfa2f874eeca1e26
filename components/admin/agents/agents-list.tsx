"use client";

import Link from "next/link";
import type { AgentsDto } from "@/lib/agents/versions";
import { Badge, EmptyState, type ListColumn, ListTable, PageHeader } from "../ui";
import { formatTime, formatTimeout, tierLabel } from "./format";

const COLUMNS: readonly ListColumn[] = [
  { label: "Agent" },
  { label: "Version", align: "right" },
  { label: "Tier" },
  { label: "Timeout", align: "right" },
  { label: "Status" },
  { label: "Last saved" },
];

/** /admin/agents: the team's five agents, each with its current version; a row opens its editor. */
export function AgentsList({ initial }: { initial: AgentsDto }) {
  return (
    <div>
      <PageHeader
        title="Agents"
        description="The orchestrator, the specialists and the aggregator that answer every chat turn. Each save of an agent is a new version; the next turn uses it, and any version can be rolled back to."
      />
      {initial.items.length === 0 ? (
        <EmptyState title="No agents">The agent team is not configured on this server.</EmptyState>
      ) : (
        <ListTable
          label="Agents"
          minWidthClass="min-w-[44rem]"
          columns={COLUMNS}
          loading={false}
          skeletonRows={5}
          loadingLabel="Loading agents"
          rowsTestId="agent-rows"
        >
          {initial.items.map((a) => (
            <tr key={a.id} data-testid="agent-row" data-agent={a.id} data-version={a.current.version}>
              <td className="px-3 py-2">
                <Link
                  href={`/admin/agents/${a.id}`}
                  className="font-medium underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-neutral-500"
                >
                  {a.name}
                </Link>
                <div className="text-xs text-muted">{a.description}</div>
              </td>
              <td className="px-3 py-2 text-right tabular-nums">
                {a.current.version === 0 ? <span title="The built-in default">0 (built-in)</span> : a.current.version}
              </td>
              <td className="px-3 py-2">{tierLabel(a.current.tier)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatTimeout(a.current.timeoutMs)}</td>
              <td className="px-3 py-2">
                <div className="flex flex-wrap gap-1">
                  {a.current.enabled ? <Badge tone="green">Enabled</Badge> : <Badge tone="red">Disabled</Badge>}
                  {a.current.allowedRoles.length > 0 && (
                    <Badge tone="amber" title={a.current.allowedRoles.join(", ")}>
                      Some roles
                    </Badge>
                  )}
                </div>
              </td>
              <td className="px-3 py-2 text-xs">
                {a.current.savedAt ? (
                  <>
                    {a.current.savedBy?.name ?? "A removed account"}
                    <div className="text-muted">
                      <time dateTime={a.current.savedAt}>{formatTime(a.current.savedAt)} UTC</time>
                    </div>
                  </>
                ) : (
                  <span className="text-muted">Never (built-in default)</span>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
    </div>
  );
}
