"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/http/action";
import { useHydrated } from "@/components/ui/use-hydrated";

export function JustificationForm({
  ownerId,
  ownerName,
  conversationId,
  submit,
}: {
  ownerId: string;
  ownerName: string;
  conversationId: string;
  submit: (prev: unknown, input: FormData) => Promise<ActionResult<void>>;
}) {
  const hydrated = useHydrated();
  const [state, formAction, pending] = useActionState(submit, null);
  const error = state && !state.ok ? state.error : null;
  const fieldError = error?.fields?.find((f) => f.field === "justification")?.message;
  return (
    <form action={formAction} className="space-y-3">
      <input type="hidden" name="ownerId" value={ownerId} />
      <input type="hidden" name="conversationId" value={conversationId} />
      <label htmlFor="justification" className="block text-sm font-medium">
        Why do you need to read {ownerName}&apos;s conversation?
      </label>
      <textarea
        id="justification"
        name="justification"
        required
        minLength={15}
        maxLength={1000}
        rows={4}
        disabled={!hydrated || pending}
        aria-invalid={Boolean(fieldError)}
        aria-describedby="justification-help"
        className="block w-full rounded-md border border-neutral-300 bg-transparent p-2 text-sm dark:border-neutral-700"
        placeholder="e.g. Investigating customer complaint #4821 about a quote Alice sent on 12 November."
      />
      <p id="justification-help" className="text-xs text-muted">
        {ownerName} will see that you opened it, when, and this reason. The view lasts 30 minutes.
      </p>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          {fieldError ?? error.message}
        </p>
      )}
      <button
        disabled={!hydrated || pending}
        className="rounded-md bg-neutral-900 px-4 py-2 text-sm font-medium text-white disabled:opacity-50 dark:bg-white dark:text-neutral-900"
      >
        {pending ? "Opening…" : "Record reason and open"}
      </button>
    </form>
  );
}
