"use client";

import { useState } from "react";
import type { PersonDto, TeamDto } from "@/lib/admin/types";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { adminFetch } from "./api";
import { ConfirmDialog } from "./confirm-dialog";
import { PersonPicker } from "./person-picker";
import {
  Badge,
  buttonClass,
  DismissibleError,
  EmptyState,
  inputClass,
  LabelledField,
  Notice,
  PageHeader,
  useAsyncAction,
} from "./ui";

const NO_TEAM_READ =
  "Their role does not include conversation.read.team, so they cannot open this team's conversations. Give them the Manager role (or a custom role with that permission) on the Users page.";

/** /api/admin/teams/{teamId}/{list}/{userId}: one person as a manager or a member of a team. */
const teamPersonPath = (teamId: string, list: "managers" | "members", userId: string) =>
  `/api/admin/teams/${encodeURIComponent(teamId)}/${list}/${encodeURIComponent(userId)}`;

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

export function TeamsAdmin({ initial }: { initial: TeamDto[] }) {
  const hydrated = useHydrated();
  const [teams, setTeams] = useState<TeamDto[]>(initial);
  const [refreshing, setRefreshing] = useState(false);
  const [name, setName] = useState("");
  const creation = useAsyncAction();
  const [deleting, setDeleting] = useState<TeamDto | null>(null);
  const deletion = useAsyncAction();

  async function refresh() {
    setRefreshing(true);
    try {
      setTeams((await adminFetch<{ items: TeamDto[] }>("/api/admin/teams")).items);
    } finally {
      setRefreshing(false);
    }
  }

  async function create(e: React.FormEvent) {
    e.preventDefault();
    await creation.run(async () => {
      const team = await adminFetch<TeamDto>("/api/admin/teams", { method: "POST", body: { name } });
      setTeams((prev) => [...prev, team].sort(byName));
      setName("");
    });
  }

  async function confirmDelete() {
    if (!deleting) return;
    await deletion.run(async () => {
      await adminFetch(`/api/admin/teams/${encodeURIComponent(deleting.id)}`, { method: "DELETE" });
      setTeams((prev) => prev.filter((t) => t.id !== deleting.id));
      setDeleting(null);
    });
  }

  return (
    <div>
      <PageHeader
        title="Teams"
        description="Each person belongs to at most one team. A team's managers can open its members' conversations read-only, after giving a reason the member can see."
      >
        {refreshing && <Spinner label="Refreshing teams" />}
      </PageHeader>

      <form
        onSubmit={(e) => void create(e)}
        className="mb-6 flex flex-wrap items-end gap-2"
        aria-label="Create a team"
      >
        <LabelledField id="new-team" label="New team name">
          <input
            id="new-team"
            value={name}
            maxLength={80}
            required
            disabled={!hydrated || creation.busy}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={creation.message ? true : undefined}
            aria-describedby={creation.message ? "new-team-error" : undefined}
            className={`${inputClass} w-64`}
          />
        </LabelledField>
        <button
          type="submit"
          className={buttonClass.primary}
          disabled={!hydrated || creation.busy || !name.trim()}
        >
          {creation.busy && <Spinner label="Creating" />}
          Create team
        </button>
        <DismissibleError
          id="new-team-error"
          className="basis-full"
          message={creation.message}
          onDismiss={creation.clearError}
        />
      </form>

      {teams.length === 0 ? (
        <EmptyState title="No teams yet.">Create one above, then add its members and managers.</EmptyState>
      ) : (
        <ul className="space-y-4" aria-label="Teams">
          {teams.map((t) => (
            <TeamCard
              key={t.id}
              team={t}
              disabled={!hydrated}
              onChanged={(next) => setTeams((prev) => prev.map((x) => (x.id === t.id ? next : x)))}
              onRefresh={() => void refresh()}
              onDelete={() => {
                deletion.clearError();
                setDeleting(t);
              }}
            />
          ))}
        </ul>
      )}

      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete the team ${deleting.name}?` : ""}
        confirmLabel="Delete team"
        busy={deletion.busy}
        error={deletion.message}
        onCancel={() => setDeleting(null)}
        onConfirm={() => void confirmDelete()}
      >
        {deleting && (
          <p>
            Its {deleting.memberCount} {deleting.memberCount === 1 ? "member stays" : "members stay"} in the
            organization without a team. Its managers lose access to the team&apos;s conversations, and SSO
            group mappings to this team are removed.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}

function TeamCard({
  team: t,
  disabled,
  onChanged,
  onRefresh,
  onDelete,
}: {
  team: TeamDto;
  disabled: boolean;
  onChanged: (t: TeamDto) => void;
  onRefresh: () => void;
  onDelete: () => void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState(t.name);
  const action = useAsyncAction();
  const { busy, run } = action;
  const [notice, setNotice] = useState<string | null>(null);
  const [members, setMembers] = useState<PersonDto[] | null>(null);
  const [showMembers, setShowMembers] = useState(false);
  const [membersLoading, setMembersLoading] = useState(false);
  const headingId = `team-${t.id}`;

  const rename = (e: React.FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const r = await adminFetch<{ id: string; name: string }>(
        `/api/admin/teams/${encodeURIComponent(t.id)}`,
        { method: "PATCH", body: { name: draft } },
      );
      onChanged({ ...t, name: r.name });
      setRenaming(false);
    });
  };

  const addManager = (person: PersonDto) =>
    run(async () => {
      const m = await adminFetch<PersonDto>(teamPersonPath(t.id, "managers", person.id), { method: "PUT" });
      onChanged({ ...t, managers: [...t.managers.filter((x) => x.id !== m.id), m].sort(byName) });
      setNotice(m.canReadTeam ? null : `${m.name} now manages ${t.name}. ${NO_TEAM_READ}`);
    });

  const removeManager = (person: PersonDto) =>
    run(async () => {
      await adminFetch(teamPersonPath(t.id, "managers", person.id), { method: "DELETE" });
      onChanged({ ...t, managers: t.managers.filter((x) => x.id !== person.id) });
      setNotice(null);
    });

  async function loadMembers() {
    setMembersLoading(true);
    try {
      setMembers(
        (await adminFetch<{ items: PersonDto[] }>(`/api/admin/teams/${encodeURIComponent(t.id)}/members`))
          .items,
      );
    } catch (e) {
      action.setError(e);
    } finally {
      setMembersLoading(false);
    }
  }

  const addMember = (person: PersonDto) =>
    run(async () => {
      const m = await adminFetch<PersonDto>(teamPersonPath(t.id, "members", person.id), { method: "PUT" });
      setMembers((prev) => [...(prev ?? []).filter((x) => x.id !== m.id), m].sort(byName));
      // Someone may have left another team: counts elsewhere change too.
      onRefresh();
    });

  const removeMember = (person: PersonDto) =>
    run(async () => {
      await adminFetch(teamPersonPath(t.id, "members", person.id), { method: "DELETE" });
      setMembers((prev) => (prev ?? []).filter((x) => x.id !== person.id));
      onChanged({ ...t, memberCount: Math.max(0, t.memberCount - 1) });
    });

  return (
    <li
      aria-labelledby={headingId}
      data-testid="team-card"
      className="rounded-lg border border-neutral-200 p-4 dark:border-neutral-800"
    >
      <div className="flex flex-wrap items-center gap-3">
        {renaming ? (
          <form onSubmit={rename} className="flex flex-wrap items-center gap-2">
            <label htmlFor={`rename-${t.id}`} className="sr-only">
              New name for {t.name}
            </label>
            <input
              id={`rename-${t.id}`}
              autoFocus
              value={draft}
              maxLength={80}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape") setRenaming(false);
              }}
              className={inputClass}
            />
            <button type="submit" className={buttonClass.primary} disabled={busy || !draft.trim()}>
              Save
            </button>
            <button type="button" className={buttonClass.secondary} onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <h2 id={headingId} className="text-base font-semibold">
            {t.name}
          </h2>
        )}
        <Badge>
          {t.memberCount} {t.memberCount === 1 ? "member" : "members"}
        </Badge>
        {busy && <Spinner label={`Saving ${t.name}`} />}
        <div className="ml-auto flex gap-1">
          {!renaming && (
            <button
              type="button"
              className={buttonClass.ghost}
              aria-label={`Rename ${t.name}`}
              disabled={disabled}
              onClick={() => {
                setDraft(t.name);
                setRenaming(true);
              }}
            >
              Rename
            </button>
          )}
          <button
            type="button"
            className={`${buttonClass.ghost} hover:text-red-700`}
            aria-label={`Delete ${t.name}`}
            disabled={disabled}
            onClick={onDelete}
          >
            Delete
          </button>
        </div>
      </div>

      <DismissibleError className="mt-3" message={action.message} onDismiss={action.clearError} />
      {notice && (
        <div className="mt-3">
          <Notice>{notice}</Notice>
        </div>
      )}

      <div className="mt-4 grid gap-6 md:grid-cols-2">
        <section aria-label={`Managers of ${t.name}`}>
          <h3 className="text-sm font-medium">Managers</h3>
          {t.managers.length === 0 ? (
            <p className="mt-1 text-sm text-muted">No managers.</p>
          ) : (
            <ul className="mt-2 space-y-1.5">
              {t.managers.map((m) => (
                <PersonItem
                  key={m.id}
                  person={m}
                  removeLabel={`Remove ${m.email} as manager of ${t.name}`}
                  disabled={disabled || busy}
                  onRemove={() => void removeManager(m)}
                >
                  {!m.canReadTeam && (
                    <Badge tone="amber" title={NO_TEAM_READ}>
                      Cannot read team conversations
                    </Badge>
                  )}
                </PersonItem>
              ))}
            </ul>
          )}
          <div className="mt-3">
            <PersonPicker
              label={`Add a manager to ${t.name}`}
              actionLabel="Make manager:"
              exclude={new Set(t.managers.map((m) => m.id))}
              disabled={disabled || busy}
              onPick={(p) => void addManager(p)}
            />
          </div>
        </section>

        <section aria-label={`Members of ${t.name}`}>
          <div className="flex items-center gap-2">
            <h3 className="text-sm font-medium">Members</h3>
            <button
              type="button"
              className={buttonClass.ghost}
              aria-expanded={showMembers}
              disabled={disabled}
              onClick={() => {
                const next = !showMembers;
                setShowMembers(next);
                if (next && members === null) void loadMembers();
              }}
            >
              {showMembers ? "Hide" : `Show ${t.memberCount}`}
            </button>
          </div>
          {showMembers && (
            <div className="mt-2 space-y-3">
              {membersLoading || members === null ? (
                <ul aria-label={`Loading members of ${t.name}`} className="space-y-1.5">
                  {[0, 1].map((i) => (
                    <li
                      key={i}
                      className="h-5 w-48 animate-pulse rounded bg-neutral-200 dark:bg-neutral-800"
                    />
                  ))}
                </ul>
              ) : members.length === 0 ? (
                <p className="text-sm text-muted">No members.</p>
              ) : (
                <ul className="space-y-1.5">
                  {members.map((m) => (
                    <PersonItem
                      key={m.id}
                      person={m}
                      removeLabel={`Remove ${m.email} from ${t.name}`}
                      disabled={disabled || busy}
                      onRemove={() => void removeMember(m)}
                    />
                  ))}
                </ul>
              )}
              <PersonPicker
                label={`Add a member to ${t.name}`}
                actionLabel="Add:"
                exclude={new Set((members ?? []).map((m) => m.id))}
                disabled={disabled || busy}
                onPick={(p) => void addMember(p)}
              />
            </div>
          )}
        </section>
      </div>
    </li>
  );
}

/** A manager or member of a team: name, email, badges (`children` first, then Deactivated) and Remove. */
function PersonItem({
  person,
  removeLabel,
  disabled,
  onRemove,
  children,
}: {
  person: PersonDto;
  removeLabel: string;
  disabled: boolean;
  onRemove: () => void;
  children?: React.ReactNode;
}) {
  return (
    <li className="flex flex-wrap items-center gap-2 text-sm">
      <span>
        {person.name} <span className="text-xs text-muted">{person.email}</span>
      </span>
      {children}
      {person.status === "disabled" && <Badge tone="red">Deactivated</Badge>}
      <button
        type="button"
        className={buttonClass.ghost}
        aria-label={removeLabel}
        disabled={disabled}
        onClick={onRemove}
      >
        Remove
      </button>
    </li>
  );
}
