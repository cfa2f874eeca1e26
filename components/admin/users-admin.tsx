"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { AdminUserDto, Option, UserPageDto } from "@/lib/admin/types";
import { Spinner } from "@/components/ui/spinner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { adminFetch, messageOf } from "./api";
import { ConfirmDialog } from "./confirm-dialog";
import { useEraseUser } from "./erase-user";
import {
  Badge,
  buttonClass,
  DismissibleError,
  EmptyState,
  ErrorAlert,
  inputClass,
  LabelledField,
  type ListColumn,
  ListTable,
  LoadMoreButton,
  PageHeader,
  SavedFlag,
  OptionSelect,
  selectClass,
  useDebounced,
  usePagedList,
} from "./ui";

const PAGE = 25;

interface Filters {
  q: string;
  role: string;
  teamId: string;
  status: "" | "active" | "disabled";
  sort: "name" | "newest";
}

const NO_FILTERS: Filters = { q: "", role: "", teamId: "", status: "", sort: "name" };

const USER_COLUMNS: readonly ListColumn[] = [
  { label: "Person" },
  { label: "Role" },
  { label: "Team" },
  { label: "Status" },
  { label: <span className="sr-only">Actions</span>, align: "right" },
];

function queryString(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(PAGE), sort: f.sort });
  if (f.q.trim()) q.set("q", f.q.trim());
  if (f.role) q.set("role", f.role);
  if (f.teamId) q.set("teamId", f.teamId);
  if (f.status) q.set("status", f.status);
  if (cursor) q.set("cursor", cursor);
  return q.toString();
}

type RowState = {
  pending?: "role" | "team" | "status";
  /** What the person picked, shown while it saves (and dropped if it is refused). */
  draft?: { role?: string; teamId?: string | null };
  error?: string;
  saved?: boolean;
};

export function UsersAdmin({
  initial,
  roles,
  teams,
  currentUserId,
}: {
  initial: UserPageDto;
  roles: Option[];
  teams: Option[];
  currentUserId: string;
}) {
  const hydrated = useHydrated();
  const router = useRouter();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const debouncedQ = useDebounced(filters.q, 300);
  const list = usePagedList<AdminUserDto>(initial);
  const { items, setItems, showFirstPage } = list;
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const [confirming, setConfirming] = useState<AdminUserDto | null>(null);
  const [confirmBusy, setConfirmBusy] = useState(false);
  const [confirmError, setConfirmError] = useState<string | null>(null);
  const savedTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const firstRun = useRef(true);

  const effective: Filters = { ...filters, q: debouncedQ };
  const key = queryString(effective, null);
  const filtered =
    effective.q.trim() !== "" || Boolean(effective.role || effective.teamId || effective.status);

  useEffect(() => {
    // The server rendered the unfiltered first page; fetch only once the filters change.
    if (firstRun.current) {
      firstRun.current = false;
      return;
    }
    return showFirstPage((signal) => adminFetch<UserPageDto>(`/api/admin/users?${key}`, { signal }));
  }, [key, showFirstPage]);

  useEffect(() => {
    const timers = savedTimers.current;
    return () => timers.forEach((t) => clearTimeout(t));
  }, []);

  const loadMore = () =>
    list.loadMore((cursor) => adminFetch<UserPageDto>(`/api/admin/users?${queryString(effective, cursor)}`));

  function setRow(id: string, s: RowState) {
    setRows((prev) => ({ ...prev, [id]: s }));
  }

  /** Saves one change; returns the API's message if it was refused (shown in the row unless `quiet`). */
  async function patch(
    user: AdminUserDto,
    body: { role?: string; teamId?: string | null; disabled?: boolean },
    what: RowState["pending"],
    opts: { quiet?: boolean } = {},
  ): Promise<string | null> {
    setRow(user.id, { pending: what, draft: { role: body.role, teamId: body.teamId } });
    try {
      const updated = await adminFetch<AdminUserDto>(`/api/admin/users/${encodeURIComponent(user.id)}`, {
        method: "PATCH",
        body,
      });
      setItems((prev) => prev.map((u) => (u.id === user.id ? updated : u)));
      setRow(user.id, { saved: true });
      const old = savedTimers.current.get(user.id);
      if (old) clearTimeout(old);
      savedTimers.current.set(
        user.id,
        setTimeout(() => setRows((prev) => (prev[user.id]?.saved ? { ...prev, [user.id]: {} } : prev)), 2500),
      );
      // Someone who changes their own role may have just left the console: let the server decide.
      if (user.id === currentUserId && body.role !== undefined) router.refresh();
      return null;
    } catch (e) {
      const message = messageOf(e);
      setRow(user.id, opts.quiet ? {} : { error: message });
      return message;
    }
  }

  // Once an erasure is done the list is read again (an erased account is no longer in it).
  const erase = useEraseUser(() => void showFirstPage((signal) => adminFetch<UserPageDto>(`/api/admin/users?${key}`, { signal })));

  async function confirmDeactivate() {
    if (!confirming) return;
    setConfirmBusy(true);
    setConfirmError(null);
    const refused = await patch(confirming, { disabled: true }, "status", { quiet: true });
    setConfirmBusy(false);
    if (refused) setConfirmError(refused);
    else setConfirming(null);
  }

  return (
    <div>
      <PageHeader
        title="Users"
        description="Everyone in your organization. Change a person's role or team, or deactivate them: a deactivated person is signed out at once and their API keys stop working. Erase removes a person's data for good."
      />
      {erase.status}

      <div role="search" aria-label="Filter people" className="mb-4 flex flex-wrap items-end gap-3">
        <LabelledField id="user-search" label="Search people" className="flex min-w-56 flex-1 flex-col gap-1">
          <input
            id="user-search"
            type="search"
            placeholder="Name or email"
            value={filters.q}
            disabled={!hydrated}
            onChange={(e) => setFilters((f) => ({ ...f, q: e.target.value }))}
            className={inputClass}
            autoComplete="off"
          />
        </LabelledField>
        <FilterSelect
          label="Role"
          id="filter-role"
          value={filters.role}
          disabled={!hydrated}
          onChange={(role) => setFilters((f) => ({ ...f, role }))}
        >
          <option value="">All roles</option>
          {roles.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect
          label="Team"
          id="filter-team"
          value={filters.teamId}
          disabled={!hydrated}
          onChange={(teamId) => setFilters((f) => ({ ...f, teamId }))}
        >
          <option value="">All teams</option>
          <option value="none">No team</option>
          {teams.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect
          label="Status"
          id="filter-status"
          value={filters.status}
          disabled={!hydrated}
          onChange={(status) => setFilters((f) => ({ ...f, status: status as Filters["status"] }))}
        >
          <option value="">Any status</option>
          <option value="active">Active</option>
          <option value="disabled">Deactivated</option>
        </FilterSelect>
        <FilterSelect
          label="Sort"
          id="filter-sort"
          value={filters.sort}
          disabled={!hydrated}
          onChange={(sort) => setFilters((f) => ({ ...f, sort: sort as Filters["sort"] }))}
        >
          <option value="name">By name</option>
          <option value="newest">Newest first</option>
        </FilterSelect>
      </div>

      <DismissibleError className="mb-3" message={list.error} onDismiss={list.clearError} />

      {!list.loading && items.length === 0 ? (
        <EmptyState title={filtered ? "No one matches these filters." : "No people yet."}>
          {filtered ? (
            <button type="button" className="underline" onClick={() => setFilters(NO_FILTERS)}>
              Clear the filters
            </button>
          ) : (
            "People appear here after their first sign-in."
          )}
        </EmptyState>
      ) : (
        <ListTable
          label="People"
          minWidthClass="min-w-[44rem]"
          columns={USER_COLUMNS}
          loading={list.loading}
          skeletonRows={Math.min(Math.max(items.length, 3), 8)}
          loadingLabel="Loading people"
          rowsTestId="user-rows"
        >
          {items.map((u) => (
            <UserRow
              key={u.id}
              user={u}
              you={u.id === currentUserId}
              roles={roles}
              teams={teams}
              state={rows[u.id] ?? {}}
              disabled={!hydrated}
              onRole={(role) => void patch(u, { role }, "role")}
              onTeam={(teamId) => void patch(u, { teamId }, "team")}
              onDeactivate={() => {
                setConfirmError(null);
                setConfirming(u);
              }}
              onReactivate={() => void patch(u, { disabled: false }, "status")}
              onErase={() => erase.open(u)}
              onDismissError={() => setRow(u.id, {})}
            />
          ))}
        </ListTable>
      )}

      {list.nextCursor && !list.loading && (
        <LoadMoreButton
          loading={list.loadingMore}
          disabled={!hydrated}
          loadingLabel="Loading more people"
          onLoadMore={() => void loadMore()}
        />
      )}

      {erase.dialog}
      <ConfirmDialog
        open={confirming !== null}
        title={confirming ? `Deactivate ${confirming.name}?` : ""}
        confirmLabel="Deactivate"
        busy={confirmBusy}
        error={confirmError}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void confirmDeactivate()}
      >
        {confirming && (
          <p>
            <strong>{confirming.email}</strong> will be signed out everywhere at once and their API keys will
            stop working. Their conversations are kept. You can reactivate them later.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}

function FilterSelect({
  label,
  id,
  value,
  disabled,
  onChange,
  children,
}: {
  label: string;
  id: string;
  value: string;
  disabled: boolean;
  onChange: (v: string) => void;
  children: React.ReactNode;
}) {
  return (
    <LabelledField id={id} label={label}>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        className={selectClass}
      >
        {children}
      </select>
    </LabelledField>
  );
}

function UserRow({
  user: u,
  you,
  roles,
  teams,
  state,
  disabled,
  onRole,
  onTeam,
  onDeactivate,
  onReactivate,
  onErase,
  onDismissError,
}: {
  user: AdminUserDto;
  you: boolean;
  roles: Option[];
  teams: Option[];
  state: RowState;
  disabled: boolean;
  onRole: (role: string) => void;
  onTeam: (teamId: string | null) => void;
  onDeactivate: () => void;
  onReactivate: () => void;
  onErase: () => void;
  onDismissError: () => void;
}) {
  const busy = Boolean(state.pending);
  const deactivated = u.status === "disabled";
  // A role or team the options do not know (created since the page loaded) still shows.
  const roleOptions = roles.some((r) => r.value === u.role)
    ? roles
    : [...roles, { value: u.role, label: u.roleName }];
  const teamOptions =
    !u.team || teams.some((t) => t.value === u.team!.id)
      ? teams
      : [...teams, { value: u.team.id, label: u.team.name }];
  return (
    <>
      <tr
        data-testid="user-row"
        data-email={u.email}
        className={`align-middle ${deactivated ? "bg-neutral-50 dark:bg-neutral-900/50" : ""}`}
      >
        <td className="px-3 py-2.5">
          <div className={`font-medium ${deactivated ? "text-muted" : ""}`}>
            {u.name} {you && <Badge tone="blue">You</Badge>}
          </div>
          <div className="text-xs text-muted">{u.email}</div>
          {u.managedTeams.length > 0 && (
            <div className="text-xs text-muted">
              Manages {u.managedTeams.map((t) => t.name).join(", ")}
            </div>
          )}
        </td>
        <td className="px-3 py-2.5">
          <OptionSelect
            aria-label={`Role for ${u.email}`}
            value={state.draft?.role ?? u.role}
            disabled={disabled || busy}
            onChange={onRole}
            options={roleOptions}
          />
        </td>
        <td className="px-3 py-2.5">
          <OptionSelect
            aria-label={`Team for ${u.email}`}
            value={(state.draft?.teamId !== undefined ? state.draft.teamId : u.team?.id) ?? ""}
            disabled={disabled || busy}
            onChange={(teamId) => onTeam(teamId === "" ? null : teamId)}
            empty="No team"
            options={teamOptions}
          />
        </td>
        <td className="px-3 py-2.5">
          {deactivated ? (
            <Badge
              tone="red"
              title={u.disabledAt ? `Deactivated ${new Date(u.disabledAt).toUTCString()}` : undefined}
            >
              Deactivated
            </Badge>
          ) : (
            <Badge tone="green">Active</Badge>
          )}
        </td>
        <td className="px-3 py-2.5 text-right whitespace-nowrap">
          <span className="mr-2 inline-flex w-14 justify-end">
            {busy ? <Spinner label={`Saving ${u.email}`} /> : <SavedFlag show={Boolean(state.saved)} />}
          </span>
          {deactivated ? (
            <button
              type="button"
              className={buttonClass.secondary}
              aria-label={`Reactivate ${u.email}`}
              disabled={disabled || busy}
              onClick={onReactivate}
            >
              Reactivate
            </button>
          ) : (
            <button
              type="button"
              className={buttonClass.secondary}
              aria-label={`Deactivate ${u.email}`}
              disabled={disabled || busy || you}
              title={you ? "You cannot deactivate yourself" : undefined}
              onClick={onDeactivate}
            >
              Deactivate
            </button>
          )}
          <button
            type="button"
            className={`${buttonClass.ghost} ml-1`}
            aria-label={`Erase data of ${u.email}`}
            disabled={disabled || busy}
            onClick={onErase}
          >
            Erase…
          </button>
        </td>
      </tr>
      {state.error && (
        <tr>
          <td colSpan={5} className="px-3 pb-3">
            <ErrorAlert onDismiss={onDismissError}>{state.error}</ErrorAlert>
          </td>
        </tr>
      )}
    </>
  );
}
