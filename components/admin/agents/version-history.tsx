"use client";

import { useState } from "react";
import type { AgentHistoryItemDto } from "@/lib/agents/versions";
import { messageOf } from "../api";
import { ConfirmDialog } from "../confirm-dialog";
import { Badge, buttonClass, DismissibleError, LoadMoreButton } from "../ui";
import { DiffView } from "./diff-view";
import { formatTime } from "./format";

/**
 * The versions of one agent, newest first: who saved each and when, what it changed against the
 * one before (a diff, folded open for the newest), and a rollback to it behind a confirmation.
 */
export function VersionHistory({
  agentName,
  items,
  currentVersion,
  hasMore,
  disabled,
  roleName,
  onRollback,
  onLoadMore,
}: {
  agentName: string;
  items: AgentHistoryItemDto[];
  currentVersion: number;
  hasMore: boolean;
  disabled: boolean;
  roleName: (key: string) => string;
  onRollback: (version: number) => Promise<void>;
  onLoadMore: () => Promise<void>;
}) {
  const [target, setTarget] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [listError, setListError] = useState<string | null>(null);

  async function confirm() {
    if (target === null) return;
    setBusy(true);
    setDialogError(null);
    try {
      await onRollback(target);
      setTarget(null);
    } catch (e) {
      setDialogError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function more() {
    setLoadingMore(true);
    setListError(null);
    try {
      await onLoadMore();
    } catch (e) {
      setListError(messageOf(e));
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <section aria-labelledby="agent-history-title" className="mt-8">
      <h2 id="agent-history-title" className="text-base font-semibold">
        Version history
      </h2>
      <p className="mt-1 text-sm text-muted">Every save is a version. Rolling back saves a new version that copies an old one.</p>
      {items.length === 0 ? (
        <p className="mt-3 text-sm text-muted">No versions yet.</p>
      ) : (
        <ol className="mt-3 space-y-3" aria-label="Versions">
          {items.map((v) => {
            const isCurrent = v.version === currentVersion;
            return (
              <li
                key={v.version}
                data-testid="agent-version"
                data-version={v.version}
                className="rounded-lg border border-neutral-200 p-3 dark:border-neutral-800"
              >
                <div className="flex flex-wrap items-start justify-between gap-2">
                  <div>
                    <h3 className="flex flex-wrap items-center gap-2 text-sm font-medium">
                      Version {v.version}
                      {v.version === 0 && <Badge>Built-in default</Badge>}
                      {isCurrent && <Badge tone="green">Current</Badge>}
                      {v.rolledBackFrom !== null && <Badge tone="blue">Rollback to version {v.rolledBackFrom}</Badge>}
                    </h3>
                    <p className="text-xs text-muted">
                      {v.savedAt ? (
                        <>
                          Saved by {v.savedBy?.name ?? "a removed account"} at{" "}
                          <time dateTime={v.savedAt}>{formatTime(v.savedAt)} UTC</time>
                        </>
                      ) : (
                        "Shipped with Enclave"
                      )}
                      {v.note && v.version !== 0 && v.rolledBackFrom === null ? ` · ${v.note}` : ""}
                    </p>
                  </div>
                  {!isCurrent && (
                    <button
                      type="button"
                      className={buttonClass.secondary}
                      disabled={disabled}
                      onClick={() => {
                        setDialogError(null);
                        setTarget(v.version);
                      }}
                    >
                      Roll back to version {v.version}
                    </button>
                  )}
                </div>
                {v.diff && (
                  <details className="mt-2" open={v === items[0]}>
                    <summary className="cursor-pointer text-xs font-medium text-neutral-700 focus-visible:outline-2 focus-visible:outline-neutral-500 dark:text-neutral-300">
                      Changes from version {v.version - 1}: {v.diff.added} {v.diff.added === 1 ? "line" : "lines"} added,{" "}
                      {v.diff.removed} removed
                      {v.diff.changes.length > 0 ? `, ${v.diff.changes.length} ${v.diff.changes.length === 1 ? "setting" : "settings"}` : ""}
                    </summary>
                    <div className="mt-2">
                      <DiffView diff={v.diff} roleName={roleName} />
                    </div>
                  </details>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {hasMore && <LoadMoreButton loading={loadingMore} disabled={disabled} loadingLabel="Loading older versions" onLoadMore={() => void more()} />}
      <DismissibleError className="mt-3" message={listError} onDismiss={() => setListError(null)} />

      <ConfirmDialog
        open={target !== null}
        tone="primary"
        title={target !== null ? `Roll back the ${agentName} agent to version ${target}?` : ""}
        confirmLabel="Roll back"
        busy={busy}
        error={dialogError}
        onCancel={() => setTarget(null)}
        onConfirm={() => void confirm()}
      >
        <p>
          This saves a new version with the instructions and settings of version {target}. The next turn uses it. Unsaved
          edits in the editor above are discarded.
        </p>
      </ConfirmDialog>
    </section>
  );
}
