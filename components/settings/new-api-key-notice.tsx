"use client";

import { useEffect, useRef, useState } from "react";
import type { CreatedApiKeyDto } from "@/lib/apikeys/schema";

/**
 * The new key, shown once. Enclave keeps only its fingerprint, so once this panel is dismissed
 * (or the page is left) the key cannot be shown again.
 */
export function NewApiKeyNotice({ created, onDismiss }: { created: CreatedApiKeyDto; onDismiss: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "manual">("idle");

  useEffect(() => {
    // Focus lands on the key, selected, so it can be copied straight away from the keyboard.
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [created.key]);

  async function onCopy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy("copied");
    } catch {
      inputRef.current?.focus();
      inputRef.current?.select();
      setCopy("manual");
    }
  }

  return (
    <section
      aria-labelledby="new-key-heading"
      data-testid="new-api-key"
      className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950"
    >
      <h3 id="new-key-heading" className="text-sm font-semibold">
        Your new key “{created.name}”
      </h3>
      <p className="mt-1 text-sm text-amber-900 dark:text-amber-200" role="note">
        <strong>Copy it now.</strong> It will not be shown again: Enclave stores only a fingerprint of it. Treat it like a
        password; anyone holding it can act as you within its scopes.
      </p>
      <div className="mt-3 flex gap-2">
        <label htmlFor="new-api-key-value" className="sr-only">
          New API key
        </label>
        <input
          id="new-api-key-value"
          ref={inputRef}
          readOnly
          value={created.key}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-neutral-300 bg-white px-2 py-1.5 font-mono text-xs dark:border-neutral-700 dark:bg-neutral-900"
        />
        <button
          type="button"
          onClick={() => void onCopy()}
          className="rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white dark:bg-white dark:text-neutral-900"
        >
          Copy
        </button>
      </div>
      <p className="mt-1 min-h-5 text-xs text-neutral-600 dark:text-neutral-400" aria-live="polite">
        {copy === "copied" ? "Copied to the clipboard." : copy === "manual" ? "Copying was blocked by the browser: the key is selected, press Ctrl+C (⌘C)." : ""}
      </p>
      <button
        type="button"
        onClick={onDismiss}
        className="mt-2 text-sm font-medium text-neutral-700 underline underline-offset-2 dark:text-neutral-300"
      >
        I have copied it, hide the key
      </button>
    </section>
  );
}
