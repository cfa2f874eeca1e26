"use client";

import { useState } from "react";
import { Spinner } from "@/components/ui/spinner";
import { fieldMessage } from "./api";
import { Section, useSection, type SectionProps } from "./settings-section";
import { buttonClass, DismissibleError, inputClass, SavedFlag } from "./ui";

/** Conversation retention: kept until deleted, or purged N days after their last activity. */
export function RetentionSection({ settings, disabled, onSaved }: SectionProps) {
  const [limited, setLimited] = useState(settings.retentionDays !== null);
  const [days, setDays] = useState(String(settings.retentionDays ?? 365));
  const section = useSection((s) => {
    onSaved(s);
    setLimited(s.retentionDays !== null);
    if (s.retentionDays !== null) setDays(String(s.retentionDays));
  });
  const wanted = limited ? days.trim() : "";
  const stored = settings.retentionDays === null ? "" : String(settings.retentionDays);
  const dirty = wanted !== stored;
  const [localError, setLocalError] = useState<string | null>(null);
  const fieldError = localError ?? fieldMessage(section.error, "retentionDays");

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    // An empty or non-numeric box is never sent: as JSON it would read as null, "keep forever".
    const n = Number(days.trim());
    if (limited && (days.trim() === "" || !Number.isFinite(n))) {
      setLocalError("enter a whole number of days");
      return;
    }
    setLocalError(null);
    void section.save({ retentionDays: limited ? n : null });
  };

  return (
    <Section
      id="settings-retention"
      title="Conversation retention"
      description="How long conversations are kept after their last message. Older ones are deleted, with their messages, by a purge that runs every hour and records what it removed in the audit trail. Memories people saved are kept. Everyone sees this policy in their settings."
    >
      <form onSubmit={submit} noValidate>
        <fieldset className="space-y-2" disabled={disabled || section.busy}>
          <legend className="sr-only">Conversation retention</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="retention" checked={!limited} onChange={() => setLimited(false)} />
            Keep conversations until their owner deletes them
          </label>
          <label className="flex flex-wrap items-center gap-2 text-sm">
            <input type="radio" name="retention" checked={limited} onChange={() => setLimited(true)} />
            Delete conversations
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={36500}
              aria-label="Days to keep conversations"
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={fieldError ? "retention-days-error" : undefined}
              value={days}
              disabled={!limited}
              onChange={(e) => setDays(e.target.value)}
              className={`${inputClass} w-24`}
            />
            days after their last message
          </label>
          {fieldError && (
            <p id="retention-days-error" className="text-sm text-red-700 dark:text-red-400">
              {fieldError}
            </p>
          )}
        </fieldset>
        <div className="mt-3 flex items-center gap-2">
          <button type="submit" className={buttonClass.primary} disabled={disabled || section.busy || !dirty}>
            Save retention
          </button>
          {section.busy && <Spinner label="Saving" />}
          <SavedFlag show={section.saved} />
        </div>
        {!fieldError && <DismissibleError className="mt-3" message={section.message} onDismiss={section.clearError} />}
      </form>
    </Section>
  );
}
