"use client";

import { useEffect, useRef, useState } from "react";
import type { ApiKeyDto } from "@/lib/apikeys/schema";
import { Spinner } from "@/components/ui/spinner";
import { formatDate, formatDateTime } from "./format";

function Badge({ tone, children }: { tone: "red" | "amber" | "neutral"; children: React.ReactNode }) {
  const tones = {
    red: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
    amber: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
    neutral: "bg-neutral-100 text-neutral-700 dark:bg-neutral-800 dark:text-neutral-300",
  };
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

export function ApiKeyRow({ apiKey: k, now, onRevoke }: { apiKey: ApiKeyDto; now: number; onRevoke: (id: string) => Promise<boolean> }) {
  const [mode, setMode] = useState<"view" | "confirm" | "revoking">("view");
  const confirmRef = useRef<HTMLButtonElement>(null);
  const revokeRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const expired = !k.revokedAt && k.expiresAt !== null && new Date(k.expiresAt).getTime() <= now;

  useEffect(() => {
    // Keyboard users land on the next decision: the confirm button, or back on Revoke after Cancel.
    if (mode === "confirm") confirmRef.current?.focus();
    else if (mode === "view" && wasConfirming.current) revokeRef.current?.focus();
    wasConfirming.current = mode === "confirm";
  }, [mode]);

  async function revoke() {
    setMode("revoking");
    if (!(await onRevoke(k.id))) setMode("view");
  }

  return (
    <li
      data-testid="api-key"
      data-key-id={k.id}
      data-prefix={k.prefix}
      data-revoked={k.revokedAt ? "true" : "false"}
      aria-label={`API key ${k.name}`}
      className={`rounded-lg border border-neutral-200 p-3 dark:border-neutral-800 ${k.revokedAt ? "opacity-70" : ""}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium break-all">{k.name}</span>
        <code className="rounded bg-neutral-100 px-1.5 py-0.5 font-mono text-xs dark:bg-neutral-800" title="The key's prefix: the rest is never shown again">
          {k.prefix}…
        </code>
        {k.scopes.map((s) => (
          <Badge key={s} tone="neutral">
            {s}
          </Badge>
        ))}
        {k.revokedAt && <Badge tone="red">Revoked</Badge>}
        {expired && <Badge tone="amber">Expired</Badge>}
      </div>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs text-neutral-600 sm:grid-cols-[auto_1fr_auto_1fr] dark:text-neutral-400">
        <dt>Created</dt>
        <dd>
          <time dateTime={k.createdAt}>{formatDateTime(k.createdAt)}</time>
        </dd>
        <dt>Last used</dt>
        <dd>{k.lastUsedAt ? <time dateTime={k.lastUsedAt}>{formatDateTime(k.lastUsedAt)}</time> : "Never"}</dd>
        <dt>Expires</dt>
        <dd>{k.expiresAt ? <time dateTime={k.expiresAt}>{formatDate(k.expiresAt)}</time> : "Never"}</dd>
        {k.revokedAt && (
          <>
            <dt>Revoked on</dt>
            <dd>
              <time dateTime={k.revokedAt}>{formatDateTime(k.revokedAt)}</time>
            </dd>
          </>
        )}
      </dl>
      {!k.revokedAt && (
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          {mode === "view" ? (
            <button
              ref={revokeRef}
              type="button"
              aria-label={`Revoke ${k.name}`}
              onClick={() => setMode("confirm")}
              className="rounded-md border border-neutral-300 px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50 dark:border-neutral-700 dark:text-red-300 dark:hover:bg-red-950"
            >
              Revoke
            </button>
          ) : (
            <div
              role="group"
              aria-label={`Confirm revoking ${k.name}`}
              className="flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-2 py-1.5 dark:bg-red-950"
              onKeyDown={(e) => {
                if (e.key === "Escape" && mode === "confirm") setMode("view");
              }}
            >
              <span>Revoke “{k.name}”? Anything using it stops working at once. This cannot be undone.</span>
              <button
                ref={confirmRef}
                type="button"
                disabled={mode === "revoking"}
                onClick={() => void revoke()}
                className="inline-flex items-center gap-1 rounded-md bg-red-700 px-2 py-1 text-xs font-medium text-white disabled:opacity-60"
              >
                {mode === "revoking" && <Spinner label="Revoking" />}
                Revoke key
              </button>
              <button type="button" disabled={mode === "revoking"} onClick={() => setMode("view")} className="px-2 py-1 text-xs font-medium">
                Cancel
              </button>
            </div>
          )}
        </div>
      )}
    </li>
  );
}
