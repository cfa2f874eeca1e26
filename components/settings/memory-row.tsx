"use client";

import { useState } from "react";
import type { MemoryDto } from "@/lib/memory/schema";
import { InlineAlert } from "@/components/ui/inline-alert";
import { Spinner } from "@/components/ui/spinner";
import { formatDateTime } from "./format";
import { patchMemory, removeMemory, SettingsApiError } from "./memory-client";

const button = "rounded-md border border-neutral-300 px-2 py-1 text-xs font-medium hover:bg-neutral-100 disabled:opacity-50 dark:border-neutral-700 dark:hover:bg-neutral-800";

/** One memory: its text and origin; edit in place, delete behind a confirmation; accept or reject a proposal. */
export function MemoryRow({ memory: m, onChanged }: { memory: MemoryDto; onChanged: () => void }) {
  const [mode, setMode] = useState<"view" | "edit" | "confirm">("view");
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState(m.text);
  const [error, setError] = useState<string | null>(null);
  const proposed = m.status === "proposed";

  async function act(run: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await run();
      setMode("view");
      onChanged();
    } catch (e) {
      // Gone already (deleted in another tab): a fresh list says so.
      if (e instanceof SettingsApiError && e.status === 404) return onChanged();
      setError(e instanceof Error ? e.message : "Something went wrong. Retry.");
    } finally {
      setBusy(false);
    }
  }

  const short = m.text.length > 40 ? `${m.text.slice(0, 40)}…` : m.text;
  return (
    <li data-testid="memory" data-memory-id={m.id} data-status={m.status} className="rounded-lg border border-neutral-200 p-3 dark:border-neutral-800">
      {mode === "edit" ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => patchMemory(m.id, { text: draft }));
          }}
          className="space-y-2"
        >
          <label htmlFor={`edit-${m.id}`} className="sr-only">
            Memory text
          </label>
          <textarea
            id={`edit-${m.id}`}
            value={draft}
            maxLength={2000}
            rows={2}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setDraft(m.text);
                setMode("view");
              }
            }}
            className="block w-full rounded-md border border-neutral-300 bg-transparent px-2 py-1.5 text-sm dark:border-neutral-700"
          />
          <div className="flex gap-2">
            <button type="submit" disabled={busy} className={button}>
              {busy && <Spinner label="Saving" />} Save
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setDraft(m.text);
                setMode("view");
              }}
              className={button}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="text-sm break-words whitespace-pre-wrap" data-testid="memory-text">
          {m.text}
        </p>
      )}
      <p className="mt-1 text-xs text-muted">
        {proposed ? "Suggested by the assistant" : m.origin === "agent" ? "Saved by the assistant" : "Added by you"} ·{" "}
        <time dateTime={m.updatedAt}>{formatDateTime(m.updatedAt)}</time>
        {m.sourceConversationId && (
          <>
            {" · "}
            <a className="underline" href={`/chat/${m.sourceConversationId}`}>
              from a conversation
            </a>
          </>
        )}
      </p>
      {error && <InlineAlert className="mt-2">{error}</InlineAlert>}
      {mode === "view" && (
        <div className="mt-2 flex flex-wrap gap-2">
          {proposed && (
            <>
              <button type="button" className={button} aria-label={`Accept ${short}`} disabled={busy} onClick={() => void act(() => patchMemory(m.id, { status: "active" }))}>
                Accept
              </button>
              <button type="button" className={button} aria-label={`Reject ${short}`} disabled={busy} onClick={() => void act(() => removeMemory(m.id))}>
                Reject
              </button>
            </>
          )}
          <button type="button" className={button} aria-label={`Edit ${short}`} onClick={() => setMode("edit")}>
            Edit
          </button>
          {!proposed && (
            <button type="button" className={`${button} text-red-700 dark:text-red-300`} aria-label={`Delete ${short}`} onClick={() => setMode("confirm")}>
              Delete
            </button>
          )}
        </div>
      )}
      {mode === "confirm" && (
        <div role="group" aria-label="Confirm deleting the memory" className="mt-2 flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-2 py-1.5 text-sm dark:bg-red-950">
          <span>Delete this memory? The assistant will no longer know it.</span>
          <button
            type="button"
            autoFocus
            disabled={busy}
            onClick={() => void act(() => removeMemory(m.id))}
            className="inline-flex items-center gap-1 rounded-md bg-red-700 px-2 py-1 text-xs font-medium text-white disabled:opacity-60"
          >
            {busy && <Spinner label="Deleting" />}
            Delete memory
          </button>
          <button type="button" disabled={busy} onClick={() => setMode("view")} className="px-2 py-1 text-xs font-medium">
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}
