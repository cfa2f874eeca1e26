"use client";

import { Check, Minus } from "lucide-react";
import { useState } from "react";
import type { RoleDto, RolesDto } from "@/lib/admin/types";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { adminFetch, fieldMessage, messageOf } from "./api";
import { ConfirmDialog } from "./confirm-dialog";
import {
  Badge,
  buttonClass,
  DismissibleError,
  inputClass,
  LabelledField,
  PageHeader,
  SavedFlag,
  OptionSelect,
  useAsyncAction,
  useFlag,
} from "./ui";

/** What a slug of the name looks like: the key is suggested from it until edited by hand. */
function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/^[^a-z]+/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

export function RolesAdmin({ initial }: { initial: RolesDto }) {
  const hydrated = useHydrated();
  const [roles, setRoles] = useState<RoleDto[]>(initial.roles);
  const catalog = initial.permissions;
  // Unsaved checkbox edits per custom role.
  const [drafts, setDrafts] = useState<Record<string, string[]>>({});
  const [saving, setSaving] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [savedFlag, flagSaved] = useFlag();
  const [savedKey, setSavedKey] = useState<string | null>(null);
  const [editing, setEditing] = useState<RoleDto | null>(null);
  const [deleting, setDeleting] = useState<RoleDto | null>(null);
  // The edit and the delete dialog (one open at a time) share the busy state and error.
  const dialog = useAsyncAction();

  const custom = roles.filter((r) => !r.builtIn);

  function toggle(role: RoleDto, perm: string, on: boolean) {
    setDrafts((prev) => {
      const base = prev[role.key] ?? role.permissions;
      const next = on ? [...base, perm] : base.filter((x) => x !== perm);
      return { ...prev, [role.key]: catalog.map((c) => c.id).filter((id) => next.includes(id)) };
    });
  }

  function replace(role: RoleDto) {
    setRoles((prev) => prev.map((r) => (r.key === role.key ? role : r)));
  }

  async function save(role: RoleDto) {
    const permissions = drafts[role.key];
    if (!permissions) return;
    setSaving(role.key);
    setErrors((prev) => ({ ...prev, [role.key]: "" }));
    try {
      const updated = await adminFetch<RoleDto>(`/api/admin/roles/${encodeURIComponent(role.key)}`, {
        method: "PATCH",
        body: { permissions },
      });
      replace(updated);
      setDrafts((prev) => {
        const { [role.key]: _, ...rest } = prev;
        return rest;
      });
      setSavedKey(role.key);
      flagSaved();
    } catch (e) {
      setErrors((prev) => ({ ...prev, [role.key]: messageOf(e) }));
    } finally {
      setSaving(null);
    }
  }

  async function saveDetails(role: RoleDto, body: { name: string; description: string }) {
    await dialog.run(async () => {
      replace(
        await adminFetch<RoleDto>(`/api/admin/roles/${encodeURIComponent(role.key)}`, {
          method: "PATCH",
          body,
        }),
      );
      setEditing(null);
    });
  }

  async function confirmDelete() {
    if (!deleting) return;
    await dialog.run(async () => {
      await adminFetch(`/api/admin/roles/${encodeURIComponent(deleting.key)}`, { method: "DELETE" });
      setRoles((prev) => prev.filter((r) => r.key !== deleting.key));
      setDeleting(null);
    });
  }

  return (
    <div>
      <PageHeader
        title="Roles"
        description="What each role may do. Built-in roles are fixed; custom roles hold exactly the permissions ticked here. A change applies to everyone holding the role at their next request."
      />

      <NewRoleForm
        roles={roles}
        disabled={!hydrated}
        onCreated={(r) => {
          setRoles((prev) => [...prev, r]);
        }}
      />

      <div className="relative mt-6 overflow-x-auto rounded-lg border border-neutral-200 dark:border-neutral-800">
        <table className="w-full text-left text-sm" aria-label="Permission matrix">
          <thead className="border-b border-neutral-200 bg-neutral-50 align-bottom dark:border-neutral-800 dark:bg-neutral-900">
            <tr>
              <th scope="col" className="px-3 py-2 text-xs font-medium text-muted uppercase">
                Permission
              </th>
              {roles.map((r) => (
                <th
                  key={r.key}
                  scope="col"
                  data-role-key={r.key}
                  className="min-w-28 px-3 py-2 text-center font-medium"
                >
                  <div>{r.name}</div>
                  <div className="font-mono text-[11px] font-normal text-muted">{r.key}</div>
                  <div className="mt-1 flex flex-wrap justify-center gap-1">
                    <Badge tone={r.builtIn ? "neutral" : "blue"}>{r.builtIn ? "Built-in" : "Custom"}</Badge>
                  </div>
                  <div className="mt-1 text-[11px] font-normal text-muted">
                    {r.userCount} {r.userCount === 1 ? "person" : "people"}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-neutral-200 dark:divide-neutral-800">
            {catalog.map((perm) => (
              <tr key={perm.id} data-permission={perm.id}>
                <th scope="row" className="max-w-md px-3 py-2 text-left font-normal">
                  <code className="text-xs font-medium">{perm.id}</code>
                  <div className="text-xs text-neutral-600 dark:text-neutral-400">{perm.description}</div>
                </th>
                {roles.map((r) => {
                  const held = (drafts[r.key] ?? r.permissions).includes(perm.id);
                  return (
                    <td key={r.key} className="px-3 py-2 text-center">
                      {r.builtIn ? (
                        held ? (
                          <span
                            aria-label={`${perm.id}: granted to ${r.name}`}
                            role="img"
                            className="inline-flex text-emerald-700 dark:text-emerald-400"
                          >
                            <Check className="size-4" />
                          </span>
                        ) : (
                          <span
                            aria-label={`${perm.id}: not granted to ${r.name}`}
                            role="img"
                            className="inline-flex text-muted"
                          >
                            <Minus className="size-4" />
                          </span>
                        )
                      ) : (
                        <input
                          type="checkbox"
                          aria-label={`${perm.id} for ${r.name}`}
                          checked={held}
                          disabled={!hydrated || saving === r.key}
                          onChange={(e) => toggle(r, perm.id, e.target.checked)}
                          className="size-4 accent-neutral-900 dark:accent-white"
                        />
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          {custom.length > 0 && (
            <tfoot className="border-t border-neutral-200 bg-neutral-50 dark:border-neutral-800 dark:bg-neutral-900">
              <tr>
                <th scope="row" className="px-3 py-2 text-left text-xs font-medium text-muted">
                  Custom roles
                </th>
                {roles.map((r) => {
                  if (r.builtIn) return <td key={r.key} />;
                  const dirty = drafts[r.key] !== undefined && !same(drafts[r.key]!, r.permissions);
                  return (
                    <td key={r.key} className="space-y-1 px-2 py-2 text-center align-top">
                      <button
                        type="button"
                        className={`${buttonClass.primary} w-full`}
                        aria-label={`Save ${r.name}`}
                        disabled={!hydrated || !dirty || saving === r.key}
                        onClick={() => void save(r)}
                      >
                        {saving === r.key && <Spinner label="Saving" />}
                        Save
                      </button>
                      <div className="flex justify-center gap-1">
                        <button
                          type="button"
                          className={buttonClass.ghost}
                          aria-label={`Edit details of ${r.name}`}
                          disabled={!hydrated}
                          onClick={() => {
                            dialog.clearError();
                            setEditing(r);
                          }}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className={`${buttonClass.ghost} hover:text-red-700`}
                          aria-label={`Delete role ${r.name}`}
                          disabled={!hydrated}
                          onClick={() => {
                            dialog.clearError();
                            setDeleting(r);
                          }}
                        >
                          Delete
                        </button>
                      </div>
                      <SavedFlag show={savedFlag && savedKey === r.key} />
                    </td>
                  );
                })}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      {Object.entries(errors)
        .filter(([, m]) => m)
        .map(([key, message]) => (
          <DismissibleError
            key={key}
            className="mt-3"
            message={
              <>
                {roles.find((r) => r.key === key)?.name ?? key}: {message}
              </>
            }
            onDismiss={() => setErrors((prev) => ({ ...prev, [key]: "" }))}
          />
        ))}
      {custom.length === 0 && (
        <p className="mt-3 text-sm text-muted">
          No custom roles yet. Create one above to pick its permissions in the matrix.
        </p>
      )}

      {editing && (
        <EditRoleDialog
          role={editing}
          busy={dialog.busy}
          error={dialog.message}
          onCancel={() => setEditing(null)}
          onSave={(body) => void saveDetails(editing, body)}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete the role ${deleting.name}?` : ""}
        confirmLabel="Delete role"
        busy={dialog.busy}
        error={dialog.message}
        onCancel={() => setDeleting(null)}
        onConfirm={() => void confirmDelete()}
      >
        <p>A role can be deleted only when nobody holds it and no SSO group mapping assigns it.</p>
      </ConfirmDialog>
    </div>
  );
}

function NewRoleForm({
  roles,
  disabled,
  onCreated,
}: {
  roles: RoleDto[];
  disabled: boolean;
  onCreated: (r: RoleDto) => void;
}) {
  const [name, setName] = useState("");
  const [key, setKey] = useState("");
  const [keyEdited, setKeyEdited] = useState(false);
  const [description, setDescription] = useState("");
  const [template, setTemplate] = useState("");
  const creation = useAsyncAction();
  const { busy, error } = creation;
  const effectiveKey = keyEdited ? key : slugify(name);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    await creation.run(async () => {
      const permissions = roles.find((r) => r.key === template)?.permissions ?? [];
      const created = await adminFetch<RoleDto>("/api/admin/roles", {
        method: "POST",
        body: { key: effectiveKey, name, description, permissions },
      });
      onCreated(created);
      setName("");
      setKey("");
      setKeyEdited(false);
      setDescription("");
      setTemplate("");
    });
  }

  const keyError = fieldMessage(error, "key");
  const nameError = fieldMessage(error, "name");
  return (
    <form
      onSubmit={(e) => void submit(e)}
      aria-label="New custom role"
      className="rounded-lg border border-neutral-200 p-4 dark:border-neutral-800"
    >
      <h2 className="text-sm font-semibold">New custom role</h2>
      <div className="mt-3 flex flex-wrap items-start gap-3">
        <LabelledField id="role-name" label="Role name">
          <input
            id="role-name"
            required
            maxLength={60}
            value={name}
            disabled={disabled || busy}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={nameError ? true : undefined}
            className={`${inputClass} w-52`}
          />
          {nameError && <span className="text-xs text-red-700 dark:text-red-300">{nameError}</span>}
        </LabelledField>
        <LabelledField id="role-key" label="Role key">
          <input
            id="role-key"
            required
            maxLength={40}
            value={effectiveKey}
            disabled={disabled || busy}
            onChange={(e) => {
              setKeyEdited(true);
              setKey(e.target.value);
            }}
            aria-invalid={keyError ? true : undefined}
            aria-describedby="role-key-help"
            className={`${inputClass} w-44 font-mono`}
          />
          <span id="role-key-help" className="text-xs text-muted">
            {keyError ?? "Lowercase, digits and hyphens. Cannot change later."}
          </span>
        </LabelledField>
        <LabelledField
          id="role-description"
          label="Description"
          className="flex min-w-52 flex-1 flex-col gap-1"
        >
          <input
            id="role-description"
            maxLength={500}
            value={description}
            disabled={disabled || busy}
            onChange={(e) => setDescription(e.target.value)}
            className={inputClass}
          />
        </LabelledField>
        <LabelledField id="role-template" label="Start from">
          <OptionSelect
            id="role-template"
            value={template}
            disabled={disabled || busy}
            onChange={setTemplate}
            empty="No permissions"
            options={roles.map((r) => ({ value: r.key, label: r.name }))}
          />
        </LabelledField>
        <button
          type="submit"
          className={`${buttonClass.primary} mt-5`}
          disabled={disabled || busy || !name.trim() || !effectiveKey}
        >
          {busy && <Spinner label="Creating" />}
          Create role
        </button>
      </div>
      {/* A field's own message is shown next to it instead. */}
      <DismissibleError
        className="mt-3"
        message={keyError || nameError ? null : creation.message}
        onDismiss={creation.clearError}
      />
    </form>
  );
}

function EditRoleDialog({
  role,
  busy,
  error,
  onCancel,
  onSave,
}: {
  role: RoleDto;
  busy: boolean;
  error: string | null;
  onCancel: () => void;
  onSave: (body: { name: string; description: string }) => void;
}) {
  const [name, setName] = useState(role.name);
  const [description, setDescription] = useState(role.description);
  return (
    <ConfirmDialog
      open
      tone="primary"
      title={`Edit ${role.name}`}
      confirmLabel="Save details"
      busy={busy}
      error={error}
      onCancel={onCancel}
      onConfirm={() => onSave({ name, description })}
    >
      <div className="space-y-3">
        <div className="flex flex-col gap-1">
          <label htmlFor="edit-role-name" className="text-xs font-medium">
            Role name
          </label>
          <input
            id="edit-role-name"
            required
            maxLength={60}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className={inputClass}
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="edit-role-description" className="text-xs font-medium">
            Description
          </label>
          <textarea
            id="edit-role-description"
            maxLength={500}
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            className={inputClass}
          />
        </div>
        <p className="text-xs text-muted">
          Key: <code>{role.key}</code> (cannot change)
        </p>
      </div>
    </ConfirmDialog>
  );
}
