"use client";

import { useState } from "react";
import type { PreferencesDto } from "@/lib/memory/schema";
import { TONES } from "@/lib/memory/schema";
import { InlineAlert } from "@/components/ui/inline-alert";
import { Spinner } from "@/components/ui/spinner";
import { savePreferences } from "./memory-client";

const field = "mt-1 block rounded-md border border-neutral-300 bg-transparent px-2 py-1.5 text-sm dark:border-neutral-700";

/** Memory on/off, how the assistant's suggestions are saved, and the answer preferences. */
export function MemoryPreferencesForm({ initial, disabled, onSaved }: { initial: PreferencesDto; disabled: boolean; onSaved: (p: PreferencesDto) => void }) {
  const [prefs, setPrefs] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function save(change: Partial<PreferencesDto>) {
    // Shown at once (a switch that waits for the server looks broken); put back if refused.
    const before = prefs;
    setPrefs({ ...prefs, ...change });
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const saved = await savePreferences(change);
      setPrefs(saved);
      onSaved(saved);
      setStatus("Saved.");
    } catch (e) {
      setPrefs(before);
      setError(e instanceof Error ? e.message : "Could not save. Retry.");
    } finally {
      setBusy(false);
    }
  }

  const off = disabled || busy;
  return (
    <section aria-labelledby="prefs-heading" className="space-y-4 rounded-lg border border-neutral-200 p-4 dark:border-neutral-800">
      <h3 id="prefs-heading" className="text-sm font-semibold">
        Memory and preferences
      </h3>
      <div className="flex items-start gap-2">
        <input
          id="memory-enabled"
          type="checkbox"
          className="mt-0.5 size-4"
          checked={prefs.memoryEnabled}
          disabled={off}
          onChange={(e) => void save({ memoryEnabled: e.target.checked })}
        />
        <div className="text-sm">
          <label htmlFor="memory-enabled" className="font-medium">
            Use memory
          </label>
          <p className="text-xs text-muted">When off, the assistant neither uses nor saves memories. What you added stays here until you delete it.</p>
        </div>
      </div>
      <fieldset disabled={off || !prefs.memoryEnabled}>
        <legend className="text-sm font-medium">Saving what the assistant suggests</legend>
        <div className="mt-1 space-y-1 text-sm">
          {(
            [
              ["explicit", "Ask me first", "Suggestions wait below until you accept them."],
              ["automatic", "Save automatically", "Suggestions are saved at once; you can still edit or delete them."],
            ] as const
          ).map(([value, label, hint]) => (
            <div key={value} className="flex items-start gap-2">
              <input
                id={`save-${value}`}
                type="radio"
                name="memorySaveMode"
                className="mt-0.5"
                checked={prefs.memorySaveMode === value}
                onChange={() => void save({ memorySaveMode: value })}
              />
              <label htmlFor={`save-${value}`}>
                {label} <span className="text-xs text-muted">— {hint}</span>
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ language: prefs.language?.trim() || null, tone: prefs.tone, defaultTier: prefs.defaultTier });
        }}
      >
        <div>
          <label htmlFor="pref-language" className="block text-sm font-medium">
            Answer language
          </label>
          <input
            id="pref-language"
            value={prefs.language ?? ""}
            maxLength={40}
            disabled={off}
            placeholder="Same as my message"
            onChange={(e) => setPrefs({ ...prefs, language: e.target.value })}
            className={field}
          />
        </div>
        <div>
          <label htmlFor="pref-tone" className="block text-sm font-medium">
            Tone
          </label>
          <select id="pref-tone" value={prefs.tone ?? ""} disabled={off} onChange={(e) => setPrefs({ ...prefs, tone: (e.target.value || null) as PreferencesDto["tone"] })} className={field}>
            <option value="">Default</option>
            {TONES.map((t) => (
              <option key={t} value={t}>
                {t[0]!.toUpperCase() + t.slice(1)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="pref-tier" className="block text-sm font-medium">
            Default model
          </label>
          <select id="pref-tier" value={prefs.defaultTier} disabled={off} onChange={(e) => setPrefs({ ...prefs, defaultTier: e.target.value as PreferencesDto["defaultTier"] })} className={field}>
            <option value="large">Large (best answers)</option>
            <option value="small">Small (faster, cheaper)</option>
          </select>
        </div>
        <button
          type="submit"
          disabled={off}
          className="inline-flex items-center gap-2 rounded-lg bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40 dark:bg-white dark:text-neutral-900"
        >
          {busy && <Spinner label="Saving" />}
          Save preferences
        </button>
      </form>
      <p role="status" data-testid="preferences-status" className="text-xs text-muted">
        {status}
      </p>
      {error && <InlineAlert>{error}</InlineAlert>}
    </section>
  );
}
