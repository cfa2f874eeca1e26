"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { useJobProgress } from "@/components/jobs/use-job-progress";
import { EraseScopeFields, type EraseScope } from "@/components/privacy/erase-scope";
import { InlineAlert } from "@/components/ui/inline-alert";
import { useHydrated } from "@/components/ui/use-hydrated";
import { startErasureJob } from "./memory-client";

/**
 * Settings → Data: erase my conversations and memory, or my whole account. A confirmation names
 * what goes; the erasure runs in the background with its progress shown. Erasing the account
 * signs me out at its first step, so its end is the sign-in page.
 */
export function ErasePanel() {
  const hydrated = useHydrated();
  const router = useRouter();
  const [scope, setScope] = useState<EraseScope>("content");
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState<{ id: string; scope: EraseScope } | null>(null);
  const watch = useJobProgress(running?.id ?? null);
  const done = watch.state === "watching" && watch.job?.status === "done";
  const accountGone = running?.scope === "account" && (done || watch.state === "gone");

  useEffect(() => {
    if (accountGone) router.replace("/signin?erased=1");
    else if (done) router.refresh();
  }, [accountGone, done, router]);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const { id } = await startErasureJob(scope);
      setRunning({ id, scope });
      setConfirming(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not start the erasure.");
    } finally {
      setBusy(false);
    }
  }

  const progress = watch.state === "watching" ? (watch.job?.progress ?? 0) : 0;
  const failed =
    watch.state === "watching" && watch.job?.status === "failed"
      ? (watch.job.error ?? "unknown error")
      : null;
  return (
    <section aria-labelledby="erase-heading" className="space-y-3">
      <h2 id="erase-heading" className="text-base font-semibold">
        Erase your data
      </h2>
      <p className="text-sm text-neutral-600 dark:text-neutral-400">
        Erase your conversations and memory and keep your account, or erase your whole account. Export your
        data first if you want a copy: an erasure cannot be undone.
      </p>
      <button
        type="button"
        className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950"
        disabled={!hydrated || (running !== null && !done && !failed)}
        onClick={() => {
          setError(null);
          setConfirming(true);
        }}
      >
        Erase my data…
      </button>
      {running && (
        <div role="status" data-testid="my-erasure" className="text-sm">
          {failed ? (
            <InlineAlert>{`The erasure failed: ${failed}. It is resumed when the server restarts; you can also start it again.`}</InlineAlert>
          ) : watch.state === "error" ? (
            <InlineAlert>{watch.message}</InlineAlert>
          ) : done && running.scope === "content" ? (
            <span>Your conversations and memory are erased.</span>
          ) : accountGone ? (
            <span>Your account is erased. Signing you out…</span>
          ) : (
            <span className="flex items-center gap-3">
              Erasing…
              <progress aria-label="Erasure progress" max={100} value={progress} className="h-2 w-40" />
              {progress} %
            </span>
          )}
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title="Erase your data?"
        confirmLabel="Erase"
        busy={busy}
        error={error}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void start()}
      >
        <EraseScopeFields scope={scope} onScope={setScope} name="my-erase-scope" disabled={busy} />
      </ConfirmDialog>
    </section>
  );
}
