"use client";

import { useEffect, useRef, type KeyboardEvent } from "react";

export function Composer({
  value,
  onChange,
  onSubmit,
  onStop,
  busy,
  blocked = false,
  disabled,
  maxBytes,
}: {
  value: string;
  onChange: (v: string) => void;
  onSubmit: () => void;
  onStop: () => void;
  busy: boolean;
  /** Sending is paused (the server asked to wait); typing is not. */
  blocked?: boolean;
  disabled: boolean;
  maxBytes: number;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const bytes = new TextEncoder().encode(value).length;
  const nearLimit = bytes > maxBytes * 0.8;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [value]);

  useEffect(() => {
    if (!disabled) ref.current?.focus();
  }, [disabled]);

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (!busy && !blocked) onSubmit();
    } else if (e.key === "Escape" && busy) {
      e.preventDefault();
      onStop();
    }
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy && !blocked) onSubmit();
      }}
      className="rounded-2xl border border-neutral-300 bg-white p-2 shadow-sm focus-within:border-neutral-500 dark:border-neutral-700 dark:bg-neutral-900"
    >
      <label htmlFor="composer" className="sr-only">
        Message
      </label>
      <textarea
        id="composer"
        ref={ref}
        rows={1}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder={disabled ? "Loading…" : "Message Enclave (Enter to send, Shift+Enter for a new line)"}
        className="block max-h-60 w-full resize-none bg-transparent px-2 py-1.5 outline-none placeholder:text-neutral-400 disabled:cursor-wait"
      />
      <div className="flex items-center justify-between gap-2 px-1 pt-1">
        <span className={`text-xs ${bytes > maxBytes ? "text-red-600" : "text-muted"}`} aria-live="polite">
          {nearLimit ? `${(bytes / 1024).toFixed(1)} / ${Math.floor(maxBytes / 1024)} KB` : ""}
        </span>
        {busy ? (
          <button
            type="button"
            onClick={onStop}
            className="rounded-lg border border-neutral-300 px-3 py-1.5 text-sm font-medium dark:border-neutral-600"
          >
            Stop
          </button>
        ) : (
          <button
            type="submit"
            disabled={disabled || blocked || !value.trim()}
            className="rounded-lg bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40 dark:bg-white dark:text-neutral-900"
          >
            Send
          </button>
        )}
      </div>
    </form>
  );
}
