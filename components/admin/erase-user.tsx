"use client";

import { useEffect, useState } from "react";
import type { AdminUserDto } from "@/lib/admin/types";
import { EraseScopeFields, type EraseScope } from "@/components/privacy/erase-scope";
import { useJobProgress } from "@/components/jobs/use-job-progress";
import { adminFetch, messageOf } from "./api";
import { ConfirmDialog } from "./confirm-dialog";
import { ErrorAlert } from "./ui";

/**
 * Admin → Users: erase a person's data. A confirmation that names what will go, then the
 * erasure's progress (a background job the admin follows) above the list, which reloads once
 * it is done.
 */
export function useEraseUser(onErased: () => void) {
  const [target, setTarget] = useState<AdminUserDto | null>(null);
  const [scope, setScope] = useState<EraseScope>("content");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState<{ jobId: string; email: string; scope: EraseScope } | null>(null);
  const watch = useJobProgress(running?.jobId ?? null);
  const finished = watch.state === "watching" && watch.job?.status === "done";

  useEffect(() => {
    if (finished) onErased();
    // onErased is the list's reload; once per finished job is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [finished]);

  async function confirm() {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      const { id } = await adminFetch<{ id: string }>(
        `/api/admin/users/${encodeURIComponent(target.id)}/erase`,
        { method: "POST", body: { scope } },
      );
      setRunning({ jobId: id, email: target.email, scope });
      setTarget(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const open = (u: AdminUserDto) => {
    setScope("content");
    setError(null);
    setTarget(u);
  };

  const dialog = (
    <ConfirmDialog
      open={target !== null}
      title={target ? `Erase data of ${target.name}?` : ""}
      confirmLabel="Erase"
      busy={busy}
      error={error}
      onCancel={() => setTarget(null)}
      onConfirm={() => void confirm()}
    >
      {target && (
        <div className="space-y-3">
          <p>
            Erase data of <strong>{target.email}</strong>. It cannot be undone.
          </p>
          <EraseScopeFields scope={scope} onScope={setScope} name="erase-scope" disabled={busy} />
        </div>
      )}
    </ConfirmDialog>
  );

  let status: React.ReactNode = null;
  if (running) {
    const what = running.scope === "account" ? "account" : "conversations and memory";
    if (watch.state === "error") status = <ErrorAlert>{watch.message}</ErrorAlert>;
    else if (watch.state === "watching" && watch.job?.status === "failed")
      status = (
        <ErrorAlert>{`Erasing the ${what} of ${running.email} failed: ${watch.job.error ?? "unknown error"}. It is resumed when the server restarts; you can also start it again.`}</ErrorAlert>
      );
    else {
      const progress = watch.state === "watching" ? (watch.job?.progress ?? 0) : 0;
      status = (
        <div
          role="status"
          data-testid="erasure-status"
          className="mb-4 rounded-lg border border-neutral-200 p-3 text-sm dark:border-neutral-800"
        >
          {finished ? (
            <span>
              Erased the {what} of {running.email}.
            </span>
          ) : (
            <div className="flex items-center gap-3">
              <span>
                Erasing the {what} of {running.email}…
              </span>
              <progress aria-label="Erasure progress" max={100} value={progress} className="h-2 w-40" />
              <span>{progress} %</span>
            </div>
          )}
        </div>
      );
    }
  }
  return { open, dialog, status };
}
