"use client";

import { useState } from "react";
import type { CreatedApiKeyDto } from "@/lib/apikeys/schema";
import { InlineAlert } from "@/components/ui/inline-alert";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { createKey, KeysApiError } from "./api-keys-client";

export interface ScopeOption {
  id: string;
  description: string;
}

const EXPIRY_CHOICES = [
  { days: null, label: "Never" },
  { days: 7, label: "In 7 days" },
  { days: 30, label: "In 30 days" },
  { days: 90, label: "In 90 days" },
  { days: 365, label: "In 1 year" },
] as const;

type FieldErrors = Partial<Record<"name" | "scopes" | "expiresInDays", string>>;

function fieldErrorsOf(e: KeysApiError): FieldErrors {
  const out: FieldErrors = {};
  for (const f of e.fields) {
    const key = f.field.split(".")[0] as keyof FieldErrors;
    if (key === "name" || key === "scopes" || key === "expiresInDays") out[key] ??= f.message;
  }
  return out;
}

export function CreateApiKeyForm({ scopes, onCreated }: { scopes: ScopeOption[]; onCreated: (k: CreatedApiKeyDto) => void }) {
  const hydrated = useHydrated();
  const [name, setName] = useState("");
  const defaultScopes = scopes.some((s) => s.id === "chat") ? ["chat"] : [];
  const [selected, setSelected] = useState<string[]>(defaultScopes);
  const [expiry, setExpiry] = useState<string>("never");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});

  function toggle(id: string, on: boolean) {
    setSelected((s) => (on ? [...s.filter((x) => x !== id), id] : s.filter((x) => x !== id)));
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const trimmed = name.trim();
    const local: FieldErrors = {};
    if (!trimmed) local.name = "Give the key a name.";
    if (selected.length === 0) local.scopes = "Choose at least one scope.";
    setFields(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const created = await createKey({ name: trimmed, scopes: selected, expiresInDays: expiry === "never" ? null : Number(expiry) });
      setName("");
      setSelected(defaultScopes);
      setExpiry("never");
      onCreated(created);
    } catch (err) {
      const apiErr = err instanceof KeysApiError ? err : new KeysApiError("Could not create the key. Retry.", 0);
      setFields(fieldErrorsOf(apiErr));
      setError(apiErr.message);
    } finally {
      setBusy(false);
    }
  }

  const disabled = !hydrated || busy;
  return (
    <form
      aria-labelledby="create-key-heading"
      onSubmit={(e) => void onSubmit(e)}
      noValidate
      className="space-y-4 rounded-lg border border-neutral-200 p-4 dark:border-neutral-800"
    >
      <h3 id="create-key-heading" className="text-sm font-semibold">
        Create a key
      </h3>
      <div>
        <label htmlFor="key-name" className="block text-sm font-medium">
          Name
        </label>
        <input
          id="key-name"
          value={name}
          maxLength={100}
          required
          disabled={disabled}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. Laptop scripts"
          aria-invalid={fields.name ? true : undefined}
          aria-describedby={fields.name ? "key-name-error" : "key-name-hint"}
          className="mt-1 block w-full rounded-md border border-neutral-300 bg-transparent px-2 py-1.5 text-sm dark:border-neutral-700"
        />
        {fields.name ? (
          <p id="key-name-error" className="mt-1 text-xs text-red-700 dark:text-red-300">
            {fields.name}
          </p>
        ) : (
          <p id="key-name-hint" className="mt-1 text-xs text-muted">
            So you can tell your keys apart. Up to 100 characters.
          </p>
        )}
      </div>

      <fieldset aria-describedby={fields.scopes ? "key-scopes-error" : undefined}>
        <legend className="text-sm font-medium">Scopes</legend>
        <div className="mt-1 space-y-2">
          {scopes.map((s) => (
            <div key={s.id} className="flex items-start gap-2">
              <input
                id={`scope-${s.id}`}
                type="checkbox"
                checked={selected.includes(s.id)}
                disabled={disabled}
                onChange={(e) => toggle(s.id, e.target.checked)}
                aria-describedby={`scope-${s.id}-description`}
                className="mt-0.5 size-4"
              />
              <div className="text-sm">
                <label htmlFor={`scope-${s.id}`} className="font-mono font-medium">
                  {s.id}
                </label>
                <p id={`scope-${s.id}-description`} className="text-xs text-muted">
                  {s.description}
                </p>
              </div>
            </div>
          ))}
        </div>
        {fields.scopes && (
          <p id="key-scopes-error" className="mt-1 text-xs text-red-700 dark:text-red-300">
            {fields.scopes}
          </p>
        )}
      </fieldset>

      <div>
        <label htmlFor="key-expiry" className="block text-sm font-medium">
          Expires
        </label>
        <select
          id="key-expiry"
          value={expiry}
          disabled={disabled}
          onChange={(e) => setExpiry(e.target.value)}
          className="mt-1 block rounded-md border border-neutral-300 bg-transparent px-2 py-1.5 text-sm dark:border-neutral-700"
        >
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.label} value={c.days === null ? "never" : String(c.days)}>
              {c.label}
            </option>
          ))}
        </select>
        {fields.expiresInDays && <p className="mt-1 text-xs text-red-700 dark:text-red-300">{fields.expiresInDays}</p>}
      </div>

      {error && <InlineAlert>{error}</InlineAlert>}

      <button
        type="submit"
        disabled={disabled}
        className="inline-flex items-center gap-2 rounded-lg bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40 dark:bg-white dark:text-neutral-900"
      >
        {busy && <Spinner label="Creating the key" />}
        Create key
      </button>
    </form>
  );
}
