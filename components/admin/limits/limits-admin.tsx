"use client";

import { useState } from "react";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { adminFetch, fieldMessage } from "../api";
import { ConfirmDialog } from "../confirm-dialog";
import { buttonClass, DismissibleError, EmptyState, inputClass, LabelledField, ListTable, Notice, OptionSelect, PageHeader, SavedFlag, useAsyncAction, useFlag } from "../ui";

/** What GET /api/admin/limits answers (dates as strings over the wire). */
export interface LimitsOverviewDto {
  defaults: { userRpm?: number; userTpm?: number; orgRpm?: number; orgTpm?: number; maxConcurrentTurns: number };
  overrides: OverrideDto[];
  roles: Array<{ key: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
  applyWithinSeconds: number;
}

export interface OverrideDto {
  id: string;
  scope: Scope;
  subjectId: string;
  subjectName: string | null;
  userRpm: number | null;
  userTpm: number | null;
  maxConcurrentTurns: number | null;
  updatedAt: string;
}

type Scope = "role" | "team" | "user";
type Field = "userRpm" | "userTpm" | "maxConcurrentTurns";

const FIELDS: ReadonlyArray<{ field: Field; label: string; hint: string }> = [
  { field: "userRpm", label: "Turns per minute", hint: "requests a person may start each minute" },
  { field: "userTpm", label: "Tokens per minute", hint: "prompt and reply tokens of all their model calls" },
  { field: "maxConcurrentTurns", label: "Turns at once", hint: "turns running at the same time" },
];
const SCOPES: ReadonlyArray<{ value: Scope; label: string }> = [
  { value: "role", label: "Role" },
  { value: "team", label: "Team" },
  { value: "user", label: "Person" },
];

const shown = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toLocaleString("en-US"));
const limitPath = (scope: Scope, subject: string) => `/api/admin/limits/${scope}/${encodeURIComponent(subject)}`;
const emptyForm = { scope: "role" as Scope, subject: "", userRpm: "", userTpm: "", maxConcurrentTurns: "" };

/**
 * /admin/limits: the environment's defaults, and overrides per role, team or person (the most
 * specific wins, limit by limit; an empty field inherits). Values are checked by the API, whose
 * message for each field is shown next to it.
 */
export function LimitsAdmin({ initial }: { initial: LimitsOverviewDto }) {
  const hydrated = useHydrated();
  const [data, setData] = useState(initial);
  const [form, setForm] = useState(emptyForm);
  const save = useAsyncAction();
  const [saved, flagSaved] = useFlag();
  const [removing, setRemoving] = useState<OverrideDto | null>(null);
  const removal = useAsyncAction();

  const subjectOptions =
    form.scope === "role"
      ? data.roles.map((r) => ({ value: r.key, label: r.name }))
      : form.scope === "team"
        ? data.teams.map((t) => ({ value: t.id, label: t.name }))
        : [];

  async function refresh() {
    setData(await adminFetch<LimitsOverviewDto>("/api/admin/limits"));
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = Object.fromEntries(FIELDS.map(({ field }) => [field, form[field].trim() === "" ? null : Number(form[field])]));
    const ok = await save.run(async () => {
      await adminFetch(limitPath(form.scope, form.subject.trim()), { method: "PUT", body });
      await refresh();
    });
    if (ok) {
      setForm({ ...emptyForm, scope: form.scope });
      flagSaved();
    }
  }

  function edit(o: OverrideDto) {
    setForm({
      scope: o.scope,
      subject: o.scope === "user" ? (o.subjectName?.match(/<([^>]+)>$/)?.[1] ?? o.subjectId) : o.subjectId,
      userRpm: o.userRpm?.toString() ?? "",
      userTpm: o.userTpm?.toString() ?? "",
      maxConcurrentTurns: o.maxConcurrentTurns?.toString() ?? "",
    });
    save.clearError();
    document.getElementById("limit-scope")?.focus();
  }

  async function confirmRemove() {
    if (!removing) return;
    await removal.run(async () => {
      await adminFetch(limitPath(removing.scope, removing.subjectId), { method: "DELETE" });
      await refresh();
      setRemoving(null);
    });
  }

  const d = data.defaults;
  return (
    <div>
      <PageHeader
        title="Limits"
        description="How many chat turns and tokens each person may use per minute, and how many turns they may run at once. Limits hold across all instances. A person's own override wins over their team's, which wins over their role's, which wins over the defaults."
      />

      <section aria-labelledby="limit-defaults" className="mb-8">
        <h2 id="limit-defaults" className="mb-2 text-sm font-semibold">
          Defaults (from the server&apos;s environment)
        </h2>
        <dl className="grid max-w-3xl grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-3" data-testid="limit-defaults">
          <dt className="text-muted">Turns per minute, per person</dt>
          <dd>{shown(d.userRpm) === "—" ? "no limit" : shown(d.userRpm)}</dd>
          <dt className="text-muted">Tokens per minute, per person</dt>
          <dd>{d.userTpm ? shown(d.userTpm) : "no limit"}</dd>
          <dt className="text-muted">Turns at once, per person</dt>
          <dd>{shown(d.maxConcurrentTurns)}</dd>
          <dt className="text-muted">Turns per minute, whole org</dt>
          <dd>{d.orgRpm ? shown(d.orgRpm) : "no limit"}</dd>
          <dt className="text-muted">Tokens per minute, whole org</dt>
          <dd>{d.orgTpm ? shown(d.orgTpm) : "no limit"}</dd>
        </dl>
      </section>

      <form onSubmit={(e) => void submit(e)} className="mb-8 max-w-3xl space-y-3" aria-label="Set a limit override" noValidate>
        <h2 className="text-sm font-semibold">Set an override</h2>
        <div className="flex flex-wrap items-end gap-3">
          <LabelledField id="limit-scope" label="For a">
            <OptionSelect
              id="limit-scope"
              value={form.scope}
              disabled={!hydrated || save.busy}
              options={SCOPES}
              onChange={(v) => setForm({ ...form, scope: v as Scope, subject: "" })}
            />
          </LabelledField>
          {form.scope === "user" ? (
            <LabelledField id="limit-subject" label="Person's email">
              <input
                id="limit-subject"
                type="email"
                value={form.subject}
                required
                maxLength={254}
                disabled={!hydrated || save.busy}
                onChange={(e) => setForm({ ...form, subject: e.target.value })}
                className={`${inputClass} w-64`}
              />
            </LabelledField>
          ) : (
            <LabelledField id="limit-subject" label={form.scope === "role" ? "Role" : "Team"}>
              <OptionSelect
                id="limit-subject"
                value={form.subject}
                empty={form.scope === "role" ? "Choose a role" : "Choose a team"}
                options={subjectOptions}
                disabled={!hydrated || save.busy}
                onChange={(v) => setForm({ ...form, subject: v })}
              />
            </LabelledField>
          )}
        </div>
        <div className="flex flex-wrap items-start gap-3">
          {FIELDS.map(({ field, label, hint }) => {
            const error = fieldMessage(save.error, field);
            return (
              <LabelledField key={field} id={`limit-${field}`} label={label}>
                <input
                  id={`limit-${field}`}
                  inputMode="numeric"
                  value={form[field]}
                  placeholder="inherit"
                  disabled={!hydrated || save.busy}
                  onChange={(e) => setForm({ ...form, [field]: e.target.value })}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={`limit-${field}-hint${error ? ` limit-${field}-error` : ""}`}
                  className={`${inputClass} w-40`}
                />
                <span id={`limit-${field}-hint`} className="text-xs text-muted">
                  {hint}
                </span>
                {error && (
                  <span id={`limit-${field}-error`} className="text-xs text-red-700 dark:text-red-400">
                    {label}: {error}
                  </span>
                )}
              </LabelledField>
            );
          })}
        </div>
        <div className="flex items-center gap-3">
          <button type="submit" className={buttonClass.primary} disabled={!hydrated || save.busy || !form.subject.trim()}>
            {save.busy && <Spinner label="Saving" />}
            Save override
          </button>
          <SavedFlag show={saved}>Saved. It applies within {data.applyWithinSeconds} s on every instance.</SavedFlag>
        </div>
        <DismissibleError id="limit-error" className="" message={save.message} onDismiss={save.clearError} />
      </form>

      <h2 className="mb-2 text-sm font-semibold">Overrides</h2>
      {data.overrides.length === 0 ? (
        <EmptyState title="No overrides.">Everyone has the defaults above.</EmptyState>
      ) : (
        <ListTable
          label="Limit overrides"
          minWidthClass="min-w-[44rem]"
          columns={[{ label: "Applies to" }, { label: "Turns / min", align: "right" }, { label: "Tokens / min", align: "right" }, { label: "At once", align: "right" }, { label: "" }]}
          loading={false}
          skeletonRows={0}
          loadingLabel="Loading overrides"
          rowsTestId="limit-overrides"
        >
          {data.overrides.map((o) => {
            const scope = SCOPES.find((s) => s.value === o.scope)?.label ?? o.scope;
            const name = o.subjectName ?? `${o.subjectId} (no longer exists)`;
            return (
              <tr key={o.id}>
                <td className="px-3 py-2">
                  <span className="text-muted">{scope}:</span> {name}
                </td>
                <td className="px-3 py-2 text-right tabular-nums">{shown(o.userRpm)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{shown(o.userTpm)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{shown(o.maxConcurrentTurns)}</td>
                <td className="px-3 py-2 text-right whitespace-nowrap">
                  <button type="button" className={buttonClass.ghost} disabled={!hydrated} onClick={() => edit(o)} aria-label={`Edit the override for ${scope} ${name}`}>
                    Edit
                  </button>
                  <button type="button" className={buttonClass.ghost} disabled={!hydrated} onClick={() => setRemoving(o)} aria-label={`Remove the override for ${scope} ${name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </ListTable>
      )}
      <p className="mt-2 text-xs text-muted">— inherits from the level below.</p>

      <ConfirmDialog
        open={removing !== null}
        title="Remove this override?"
        confirmLabel="Remove override"
        busy={removal.busy}
        error={removal.message}
        onConfirm={() => void confirmRemove()}
        onCancel={() => {
          setRemoving(null);
          removal.clearError();
        }}
      >
        <Notice>
          {removing ? `${SCOPES.find((s) => s.value === removing.scope)?.label}: ${removing.subjectName ?? removing.subjectId}` : ""} will have the limits of the level
          below again.
        </Notice>
      </ConfirmDialog>
    </div>
  );
}
