"use client";

import { useState } from "react";
import type { AgentDetailDto, AgentHistoryItemDto, AgentVersionDto } from "@/lib/agents/versions";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { BackLink } from "@/components/ui/back-link";
import { fieldMessage, messageOf } from "../api";
import { buttonClass, DismissibleError, inputClass, LabelledField, Notice, PageHeader, SavedFlag, selectClass, useFlag } from "../ui";
import { adminFetch, agentsWrite, staleVersionOf, type StaleVersion } from "./api";
import { formatTime } from "./format";
import { VersionHistory } from "./version-history";

interface Draft {
  instructions: string;
  tier: "small" | "large";
  /** As typed, in seconds. */
  timeoutSeconds: string;
  enabled: boolean;
  allowedRoles: string[];
  note: string;
}

function draftOf(v: AgentVersionDto): Draft {
  return {
    instructions: v.instructions,
    tier: v.tier,
    timeoutSeconds: String(v.timeoutMs / 1000),
    enabled: v.enabled,
    allowedRoles: [...v.allowedRoles],
    note: "",
  };
}

function sameDraft(a: Draft, b: Draft): boolean {
  return (
    a.instructions === b.instructions &&
    a.tier === b.tier &&
    Number(a.timeoutSeconds) === Number(b.timeoutSeconds) &&
    a.enabled === b.enabled &&
    [...a.allowedRoles].sort().join() === [...b.allowedRoles].sort().join()
  );
}

/**
 * /admin/agents/{id}: the editor of one agent (instructions with a character count, tier, timeout,
 * enabled, allowed roles) over its current version, and the history of its versions with diffs
 * and rollbacks. A save names the version the edit started from; when someone saved since, the
 * save is refused and says who and when, and the admin's text stays in the editor.
 */
export function AgentEditor({ initial }: { initial: AgentDetailDto }) {
  const hydrated = useHydrated();
  const [detail, setDetail] = useState(initial);
  const [history, setHistory] = useState<AgentHistoryItemDto[]>(initial.versions.items);
  const [cursor, setCursor] = useState<string | null>(initial.versions.nextCursor);
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial.current));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [stale, setStale] = useState<StaleVersion | null>(null);
  const [reloading, setReloading] = useState(false);
  const [savedFlag, flagSaved] = useFlag(4000);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);

  const { limits, current } = detail;
  const isAggregator = detail.id === "aggregator";
  const chars = draft.instructions.length;
  const over = chars - limits.instructionsMaxChars;
  const empty = draft.instructions.trim().length === 0;
  const timeoutMs = Math.round(Number(draft.timeoutSeconds) * 1000);
  const timeoutValid =
    draft.timeoutSeconds.trim() !== "" && Number.isFinite(timeoutMs) && timeoutMs >= limits.timeoutMinMs && timeoutMs <= limits.timeoutMaxMs;
  const dirty = !sameDraft(draft, draftOf(current));
  const roleName = (key: string) => detail.roles.find((r) => r.key === key)?.name ?? key;

  /** Loads the agent again; with `resetDraft`, the editor shows the (new) current version. */
  async function reload(resetDraft: boolean): Promise<void> {
    const next = await adminFetch<AgentDetailDto>(`/api/admin/agents/${detail.id}`);
    setDetail(next);
    setHistory(next.versions.items);
    setCursor(next.versions.nextCursor);
    if (resetDraft) setDraft(draftOf(next.current));
  }

  /** After a save or a rollback: the new version is current and the editor shows it. */
  async function afterWrite(saved: AgentVersionDto): Promise<void> {
    setStale(null);
    setSavedVersion(saved.version);
    flagSaved();
    try {
      await reload(true);
    } catch {
      // The save itself succeeded; show what it returned until the next reload.
      setDetail((d) => ({ ...d, current: saved }));
      setDraft(draftOf(saved));
    }
  }

  async function save(e: React.FormEvent) {
    e.preventDefault();
    if (saving || empty || over > 0 || !timeoutValid) return;
    setSaving(true);
    setError(null);
    try {
      const saved = await agentsWrite<AgentVersionDto>(`/api/admin/agents/${detail.id}`, "PUT", {
        baseVersion: current.version,
        instructions: draft.instructions,
        tier: draft.tier,
        timeoutMs,
        enabled: draft.enabled,
        allowedRoles: draft.allowedRoles,
        ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
      });
      await afterWrite(saved);
    } catch (err) {
      const s = staleVersionOf(err);
      if (s) setStale(s);
      else setError(err);
    } finally {
      setSaving(false);
    }
  }

  async function loadTheirs() {
    setReloading(true);
    try {
      await reload(true);
      setStale(null);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setReloading(false);
    }
  }

  /** Rolls back to `version`; a stale refusal is shown like a stale save. Throws other refusals to the dialog. */
  async function rollback(version: number): Promise<void> {
    try {
      const saved = await agentsWrite<AgentVersionDto>(`/api/admin/agents/${detail.id}/rollback`, "POST", {
        toVersion: version,
        baseVersion: current.version,
      });
      setError(null);
      await afterWrite(saved);
    } catch (err) {
      const s = staleVersionOf(err);
      if (!s) throw err;
      setStale(s);
    }
  }

  async function loadMore(): Promise<void> {
    if (!cursor) return;
    const page = await adminFetch<AgentDetailDto>(`/api/admin/agents/${detail.id}?cursor=${encodeURIComponent(cursor)}`);
    setHistory((prev) => [...prev, ...page.versions.items.filter((v) => !prev.some((p) => p.version === v.version))]);
    setCursor(page.versions.nextCursor);
  }

  const instructionsError = fieldMessage(error, "instructions");
  const timeoutError = fieldMessage(error, "timeoutMs");
  const rolesError = error ? (fieldMessage(error, "allowedRoles") ?? fieldMessage(error, "allowedRoles.0")) : undefined;
  const fieldShown = Boolean(instructionsError || timeoutError || rolesError);
  const disabled = !hydrated || saving;

  return (
    <div>
      <BackLink href="/admin/agents" className="mb-3">
        All agents
      </BackLink>
      <PageHeader title={`${detail.name} agent`} description={detail.description}>
        <div className="text-right text-xs text-muted" data-testid="agent-current" data-version={current.version}>
          <div className="text-sm font-medium text-neutral-900 dark:text-neutral-100">
            {current.version === 0 ? "Version 0 (built-in default)" : `Version ${current.version}`}
          </div>
          {current.savedAt && (
            <div>
              Saved by {current.savedBy?.name ?? "a removed account"} at{" "}
              <time dateTime={current.savedAt}>{formatTime(current.savedAt)} UTC</time>
            </div>
          )}
        </div>
      </PageHeader>

      <form
        aria-label={`Edit the ${detail.name} agent`}
        onSubmit={(e) => void save(e)}
        className="space-y-4 rounded-lg border border-neutral-200 p-4 dark:border-neutral-800"
      >
        {stale && (
          <div role="alert" data-testid="stale-save" className="space-y-2 rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            <p>
              Saved by {stale.savedBy ?? "someone whose account was removed"}
              {stale.savedAt ? (
                <>
                  {" "}
                  at <time dateTime={stale.savedAt}>{formatTime(stale.savedAt)} UTC</time>
                </>
              ) : null}{" "}
              since you opened it (version {stale.currentVersion}) — reload to see their version. Nothing was
              overwritten, and your text is still below: copy it before reloading if you want to keep it.
            </p>
            <button type="button" className={buttonClass.secondary} onClick={() => void loadTheirs()} disabled={reloading}>
              {reloading && <Spinner label="Reloading" />}
              Reload their version
            </button>
          </div>
        )}

        <LabelledField id="agent-instructions" label="Instructions">
          <textarea
            id="agent-instructions"
            rows={14}
            value={draft.instructions}
            disabled={disabled}
            onChange={(e) => setDraft({ ...draft, instructions: e.target.value })}
            aria-invalid={instructionsError || over > 0 || empty ? true : undefined}
            aria-describedby="agent-instructions-count"
            className={`${inputClass} w-full font-mono text-xs leading-5`}
          />
          <div id="agent-instructions-count" className="flex flex-wrap justify-between gap-2 text-xs">
            <span className={over > 0 || empty ? "text-red-700 dark:text-red-300" : "text-muted"} data-testid="instructions-count">
              {chars.toLocaleString("en-US")} / {limits.instructionsMaxChars.toLocaleString("en-US")} characters
              {over > 0 ? ` — ${over.toLocaleString("en-US")} over the limit` : empty ? " — the instructions are empty" : ""}
            </span>
            {instructionsError && <span className="text-red-700 dark:text-red-300">{instructionsError}</span>}
          </div>
        </LabelledField>

        <div className="flex flex-wrap items-start gap-4">
          <LabelledField id="agent-tier" label="Model tier">
            <select
              id="agent-tier"
              value={draft.tier}
              disabled={disabled}
              onChange={(e) => setDraft({ ...draft, tier: e.target.value === "large" ? "large" : "small" })}
              className={selectClass}
            >
              <option value="small">Small (fast, cheap)</option>
              <option value="large">Large</option>
            </select>
          </LabelledField>
          <LabelledField id="agent-timeout" label="Timeout (seconds)">
            <input
              id="agent-timeout"
              type="number"
              inputMode="decimal"
              min={limits.timeoutMinMs / 1000}
              max={limits.timeoutMaxMs / 1000}
              step="any"
              value={draft.timeoutSeconds}
              disabled={disabled}
              onChange={(e) => setDraft({ ...draft, timeoutSeconds: e.target.value })}
              aria-invalid={!timeoutValid || timeoutError ? true : undefined}
              aria-describedby="agent-timeout-help"
              className={`${inputClass} w-32`}
            />
            <span id="agent-timeout-help" className={`text-xs ${timeoutValid && !timeoutError ? "text-muted" : "text-red-700 dark:text-red-300"}`}>
              {timeoutError ?? `${limits.timeoutMinMs / 1000} to ${limits.timeoutMaxMs / 1000} seconds`}
            </span>
          </LabelledField>
          <div className="flex flex-col gap-1">
            <span className="text-xs font-medium text-neutral-600 dark:text-neutral-400">Status</span>
            <label className="inline-flex items-center gap-2 py-1.5 text-sm">
              <input
                type="checkbox"
                checked={draft.enabled}
                disabled={disabled || isAggregator}
                onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
                aria-describedby={isAggregator ? "agent-aggregator-note" : undefined}
                className="size-4 accent-neutral-900 dark:accent-white"
              />
              Enabled
            </label>
          </div>
        </div>

        <fieldset className="space-y-1" aria-describedby="agent-roles-help">
          <legend className="text-xs font-medium text-neutral-600 dark:text-neutral-400">Allowed roles</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1">
            {detail.roles.map((r) => (
              <label key={r.key} className="inline-flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={draft.allowedRoles.includes(r.key)}
                  disabled={disabled || isAggregator}
                  onChange={(e) =>
                    setDraft({
                      ...draft,
                      allowedRoles: e.target.checked ? [...draft.allowedRoles, r.key] : draft.allowedRoles.filter((k) => k !== r.key),
                    })
                  }
                  className="size-4 accent-neutral-900 dark:accent-white"
                />
                {r.name}
              </label>
            ))}
          </div>
          <p id="agent-roles-help" className={`text-xs ${rolesError ? "text-red-700 dark:text-red-300" : "text-muted"}`}>
            {rolesError ??
              (draft.allowedRoles.length === 0
                ? "None ticked: everyone who may chat can use this agent."
                : "Only people holding a ticked role can use this agent; the orchestrator never plans it for anyone else.")}
          </p>
          {isAggregator && (
            <p id="agent-aggregator-note" className="text-xs text-muted">
              The aggregator writes every answer, so it is always enabled and open to everyone.
            </p>
          )}
        </fieldset>

        <LabelledField id="agent-note" label="Note (optional)">
          <input
            id="agent-note"
            maxLength={500}
            value={draft.note}
            disabled={disabled}
            onChange={(e) => setDraft({ ...draft, note: e.target.value })}
            placeholder="What changed, and why"
            className={`${inputClass} max-w-xl`}
          />
        </LabelledField>

        <div className="flex flex-wrap items-center gap-2">
          <button type="submit" className={buttonClass.primary} disabled={disabled || !dirty || empty || over > 0 || !timeoutValid}>
            {saving && <Spinner label="Saving" />}
            Save new version
          </button>
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={disabled || !dirty}
            onClick={() => {
              setDraft(draftOf(current));
              setError(null);
            }}
          >
            Discard changes
          </button>
          <SavedFlag show={savedFlag}>{savedVersion !== null ? `Saved as version ${savedVersion}` : "Saved"}</SavedFlag>
        </div>
        <DismissibleError className="" message={error && !fieldShown ? messageOf(error) : null} onDismiss={() => setError(null)} />
      </form>

      {!current.enabled && (
        <div className="mt-4">
          <Notice>This agent is disabled: turns run without it.</Notice>
        </div>
      )}

      <VersionHistory
        agentName={detail.name}
        items={history}
        currentVersion={current.version}
        hasMore={cursor !== null}
        disabled={!hydrated}
        roleName={roleName}
        onRollback={rollback}
        onLoadMore={loadMore}
      />
    </div>
  );
}
