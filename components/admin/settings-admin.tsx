"use client";

import { ArrowDown, ArrowUp } from "lucide-react";
import { useRef, useState } from "react";
import type { GroupMappingDto, SettingsDto } from "@/lib/admin/types";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { AdminApiError, fieldMessage, messageOf } from "./api";
import { RetentionSection } from "./retention-section";
import { Section, useSection, type SectionProps } from "./settings-section";
import {
  buttonClass,
  DismissibleError,
  EmptyState,
  ErrorAlert,
  inputClass,
  PageHeader,
  SavedFlag,
  OptionSelect,
} from "./ui";


/** The error's message unless every field it names is shown next to its input. */
function generalMessage(error: unknown, shownFields: (field: string) => boolean): string | null {
  if (error === null) return null;
  if (
    error instanceof AdminApiError &&
    error.fields.length > 0 &&
    error.fields.every((f) => shownFields(f.field))
  )
    return null;
  return messageOf(error);
}

export function SettingsAdmin({ initial }: { initial: SettingsDto }) {
  const hydrated = useHydrated();
  const [settings, setSettings] = useState<SettingsDto>(initial);
  return (
    <div className="space-y-8">
      <PageHeader title="Settings" description={`Organization-wide settings for ${settings.org.name}.`} />
      <DomainsSection settings={settings} disabled={!hydrated} onSaved={setSettings} />
      <MappingsSection settings={settings} disabled={!hydrated} onSaved={setSettings} />
      <DevLoginSection settings={settings} disabled={!hydrated} onSaved={setSettings} />
      <AuditContentSection settings={settings} disabled={!hydrated} onSaved={setSettings} />
      <RetentionSection settings={settings} disabled={!hydrated} onSaved={setSettings} />
    </div>
  );
}

function DomainsSection({ settings, disabled, onSaved }: SectionProps) {
  const [domains, setDomains] = useState<string[]>(settings.emailDomains);
  const section = useSection((s) => {
    onSaved(s);
    setDomains(s.emailDomains);
  });
  const newest = useRef<HTMLInputElement>(null);
  const dirty = domains.join("\n") !== settings.emailDomains.join("\n");
  const general = generalMessage(section.error, (f) => /^emailDomains\.\d+$/.test(f));

  return (
    <Section
      id="settings-domains"
      title="Email domains"
      description="People whose verified email is at one of these domains join this organization at their first SSO sign-in. A domain can belong to one organization only, and counts only once verified: publish the DNS record below at the domain, then add it here."
    >
      <p className="mb-3 text-sm">
        <span className="text-muted">DNS TXT record: </span>
        <code className="rounded bg-neutral-100 px-1 py-0.5 text-xs break-all dark:bg-neutral-800">{settings.domainVerification.value}</code>
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void section.save({ emailDomains: domains.map((d) => d.trim()).filter(Boolean) });
        }}
        className="space-y-2"
      >
        <ul className="space-y-2" aria-label="Email domains">
          {domains.map((d, i) => {
            const err = fieldMessage(section.error, `emailDomains.${i}`);
            return (
              <li key={i} className="flex flex-wrap items-center gap-2">
                <label htmlFor={`domain-${i}`} className="sr-only">
                  Email domain {i + 1}
                </label>
                <span aria-hidden className="text-sm text-neutral-400">
                  @
                </span>
                <input
                  id={`domain-${i}`}
                  ref={i === domains.length - 1 ? newest : undefined}
                  value={d}
                  placeholder="example.com"
                  disabled={disabled || section.busy}
                  aria-invalid={err ? true : undefined}
                  aria-describedby={err ? `domain-${i}-error` : undefined}
                  onChange={(e) => setDomains((prev) => prev.map((x, j) => (j === i ? e.target.value : x)))}
                  className={`${inputClass} w-72`}
                />
                {settings.emailDomains.includes(d) && !settings.verifiedEmailDomains.includes(d) && (
                  <span className="text-xs text-amber-700 dark:text-amber-300">not verified: provisions nobody</span>
                )}
                <button
                  type="button"
                  className={buttonClass.ghost}
                  aria-label={`Remove email domain ${d || i + 1}`}
                  disabled={disabled || section.busy || domains.length <= 1}
                  onClick={() => setDomains((prev) => prev.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
                {err && (
                  <span
                    id={`domain-${i}-error`}
                    className="basis-full pl-5 text-xs text-red-700 dark:text-red-300"
                  >
                    {err}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
        {general && <ErrorAlert onDismiss={section.clearError}>{general}</ErrorAlert>}
        <div className="flex items-center gap-2 pt-2">
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={disabled || section.busy || domains.length >= 50}
            onClick={() => {
              setDomains((prev) => [...prev, ""]);
              setTimeout(() => newest.current?.focus(), 0);
            }}
          >
            Add domain
          </button>
          <button type="submit" className={buttonClass.primary} disabled={disabled || section.busy || !dirty}>
            {section.busy && <Spinner label="Saving" />}
            Save domains
          </button>
          <SavedFlag show={section.saved} />
        </div>
      </form>
    </Section>
  );
}

type Row = { group: string; roleKey: string; teamId: string; key: number };

// Stable React keys for rows that can be reordered (a row's index is not its identity).
let rowSeq = 0;
const toRows = (ms: GroupMappingDto[]): Row[] =>
  ms.map((m) => ({ group: m.group, roleKey: m.roleKey ?? "", teamId: m.teamId ?? "", key: ++rowSeq }));

function MappingsSection({ settings, disabled, onSaved }: SectionProps) {
  const [rows, setRows] = useState<Row[]>(() => toRows(settings.groupMappings));
  const section = useSection((s) => {
    onSaved(s);
    setRows(toRows(s.groupMappings));
  });
  const asMappings = (rs: Row[]): GroupMappingDto[] =>
    rs.map((r) => ({ group: r.group.trim(), roleKey: r.roleKey || null, teamId: r.teamId || null }));
  const dirty = JSON.stringify(asMappings(rows)) !== JSON.stringify(settings.groupMappings);
  const general = generalMessage(section.error, (f) =>
    /^groupMappings\.\d+\.(group|roleKey|teamId)$/.test(f),
  );
  const { roles, teams } = settings.options;
  const roleOptions = roles.map((x) => ({ value: x.key, label: x.name }));
  const teamOptions = teams.map((x) => ({ value: x.id, label: x.name }));

  function move(i: number, by: -1 | 1) {
    setRows((prev) => {
      const j = i + by;
      if (j < 0 || j >= prev.length) return prev;
      const next = [...prev];
      [next[i], next[j]] = [next[j]!, next[i]!];
      return next;
    });
  }
  const update = (i: number, patch: Partial<Row>) =>
    setRows((prev) => prev.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <Section
      id="settings-mappings"
      title="SSO group mappings"
      description="At each SSO sign-in, a person's identity-provider groups are matched against this list from the top: the first matching row sets their role and/or team."
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void section.save({ groupMappings: asMappings(rows) });
        }}
        className="space-y-3"
      >
        {rows.length === 0 ? (
          <EmptyState title="No group mappings.">
            People keep the role and team an admin gives them.
          </EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full min-w-[40rem] text-left text-sm" aria-label="Group mappings">
              <thead className="text-xs text-muted uppercase">
                <tr>
                  <th scope="col" className="w-10 py-2 pr-2 font-medium">
                    #
                  </th>
                  <th scope="col" className="py-2 pr-2 font-medium">
                    IdP group
                  </th>
                  <th scope="col" className="py-2 pr-2 font-medium">
                    Role
                  </th>
                  <th scope="col" className="py-2 pr-2 font-medium">
                    Team
                  </th>
                  <th scope="col" className="py-2 font-medium">
                    <span className="sr-only">Order and removal</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800">
                {rows.map((r, i) => {
                  const n = i + 1;
                  const err = (f: string) => fieldMessage(section.error, `groupMappings.${i}.${f}`);
                  const errors = [err("group"), err("roleKey"), err("teamId")].filter(Boolean);
                  return (
                    <tr key={r.key} className="align-top">
                      <td className="py-2 pr-2 text-muted">{n}</td>
                      <td className="py-2 pr-2">
                        <input
                          aria-label={`Group ${n}`}
                          value={r.group}
                          maxLength={200}
                          placeholder="e.g. eng-leads"
                          disabled={disabled || section.busy}
                          aria-invalid={err("group") ? true : undefined}
                          onChange={(e) => update(i, { group: e.target.value })}
                          className={`${inputClass} w-full`}
                        />
                        {errors.length > 0 && (
                          <p className="mt-1 text-xs text-red-700 dark:text-red-300">{errors.join("; ")}</p>
                        )}
                      </td>
                      <td className="py-2 pr-2">
                        <OptionSelect
                          aria-label={`Role for group ${n}`}
                          value={r.roleKey}
                          disabled={disabled || section.busy}
                          aria-invalid={err("roleKey") ? true : undefined}
                          onChange={(roleKey) => update(i, { roleKey })}
                          empty="Keep role"
                          options={roleOptions}
                        />
                      </td>
                      <td className="py-2 pr-2">
                        <OptionSelect
                          aria-label={`Team for group ${n}`}
                          value={r.teamId}
                          disabled={disabled || section.busy}
                          aria-invalid={err("teamId") ? true : undefined}
                          onChange={(teamId) => update(i, { teamId })}
                          empty="Keep team"
                          options={teamOptions}
                        />
                      </td>
                      <td className="py-2 whitespace-nowrap">
                        <button
                          type="button"
                          className={buttonClass.ghost}
                          aria-label={`Move group ${n} up`}
                          disabled={disabled || section.busy || i === 0}
                          onClick={() => move(i, -1)}
                        >
                          <ArrowUp className="size-4" />
                        </button>
                        <button
                          type="button"
                          className={buttonClass.ghost}
                          aria-label={`Move group ${n} down`}
                          disabled={disabled || section.busy || i === rows.length - 1}
                          onClick={() => move(i, 1)}
                        >
                          <ArrowDown className="size-4" />
                        </button>
                        <button
                          type="button"
                          className={buttonClass.ghost}
                          aria-label={`Remove group ${n}`}
                          disabled={disabled || section.busy}
                          onClick={() => setRows((prev) => prev.filter((_, j) => j !== i))}
                        >
                          Remove
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {general && <ErrorAlert onDismiss={section.clearError}>{general}</ErrorAlert>}
        <div className="flex items-center gap-2">
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={disabled || section.busy || rows.length >= 200}
            onClick={() =>
              setRows((prev) => [...prev, { group: "", roleKey: "", teamId: "", key: ++rowSeq }])
            }
          >
            Add mapping
          </button>
          <button type="submit" className={buttonClass.primary} disabled={disabled || section.busy || !dirty}>
            {section.busy && <Spinner label="Saving" />}
            Save mappings
          </button>
          <SavedFlag show={section.saved} />
        </div>
      </form>
    </Section>
  );
}

function DevLoginSection({ settings, disabled, onSaved }: SectionProps) {
  const section = useSection(onSaved);
  const on = settings.devLoginEnabled;
  return (
    <Section
      id="settings-dev-login"
      title="Dev sign-in"
      description="The password-less sign-in for development and demos. It is offered only where the server allows it (ENCLAVE_DEV_LOGIN, never in production) and this organization has not turned it off."
    >
      <div className="flex items-center gap-3">
        <button
          type="button"
          role="switch"
          aria-checked={on}
          aria-labelledby="dev-login-label"
          disabled={disabled || section.busy}
          onClick={() => void section.save({ devLoginEnabled: !on })}
          className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-neutral-500 disabled:opacity-50 ${on ? "bg-emerald-600" : "bg-neutral-300 dark:bg-neutral-700"}`}
        >
          <span
            aria-hidden
            className={`inline-block size-5 rounded-full bg-white shadow transition-transform ${on ? "translate-x-5" : "translate-x-0.5"}`}
          />
        </button>
        <span id="dev-login-label" className="text-sm">
          Allow dev sign-in for {settings.org.name}
        </span>
        {section.busy && <Spinner label="Saving" />}
        <SavedFlag show={section.saved} />
      </div>
      <DismissibleError className="mt-3" message={section.message} onDismiss={section.clearError} />
    </Section>
  );
}

const AUDIT_CONTENT_CHOICES: Array<{ value: SettingsDto["auditContent"]; label: string; help: string }> = [
  { value: "redacted", label: "Redacted text", help: "What was said, with emails and card numbers masked." },
  { value: "full", label: "Full text", help: "What was said, as said." },
  {
    value: "hashes",
    label: "Hashes only",
    help: "No text at all: only SHA-256 hashes that prove what was said to whoever has it.",
  },
];

function AuditContentSection({ settings, disabled, onSaved }: SectionProps) {
  const section = useSection(onSaved);
  return (
    <Section
      id="settings-audit-content"
      title="Audit trail content"
      description="What the audit trail keeps of each chat turn. Secrets (keys, tokens, passwords) are always masked, and only people holding audit.read.content (no built-in role) can see the text."
    >
      <fieldset className="space-y-2" disabled={disabled || section.busy}>
        <legend className="sr-only">Audit trail content</legend>
        {AUDIT_CONTENT_CHOICES.map((c) => (
          <label key={c.value} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="audit-content"
              value={c.value}
              checked={settings.auditContent === c.value}
              onChange={() => void section.save({ auditContent: c.value })}
              className="mt-1"
            />
            <span>
              <span className="font-medium">{c.label}</span>
              <span className="block text-xs text-muted">{c.help}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="mt-2 flex items-center gap-2">
        {section.busy && <Spinner label="Saving" />}
        <SavedFlag show={section.saved} />
      </div>
      <DismissibleError className="mt-3" message={section.message} onDismiss={section.clearError} />
    </Section>
  );
}
