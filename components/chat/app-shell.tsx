"use client";

import { Menu, X } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Sidebar } from "./sidebar";

export interface ShellNav {
  /** Shown when the person may open others' conversations with a justification. */
  team: boolean;
  admin: boolean;
}

export interface ShellUser {
  name: string;
  email: string;
  role: string;
  orgName: string;
  teamName: string | null;
}

export function AppShell({
  user,
  modelLabel,
  isOffline,
  signOutAction,
  nav,
  children,
}: {
  user: ShellUser;
  nav: ShellNav;
  modelLabel: string;
  isOffline: boolean;
  signOutAction: (formData: FormData) => Promise<unknown>;
  children: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);

  return (
    <div className="flex h-dvh overflow-hidden">
      {/* Sidebar: a drawer on phones, a column on wider screens. */}
      <div
        className={`fixed inset-0 z-30 bg-black/40 md:hidden ${open ? "block" : "hidden"}`}
        onClick={() => setOpen(false)}
        aria-hidden
      />
      <aside
        className={`fixed inset-y-0 left-0 z-40 w-72 transform border-r border-neutral-200 bg-neutral-50 transition-transform md:static md:translate-x-0 dark:border-neutral-800 dark:bg-neutral-900 ${open ? "translate-x-0" : "-translate-x-full"}`}
      >
        <div className="flex h-full flex-col">
          <div className="flex items-center justify-between px-4 pt-4">
            <span className="text-lg font-semibold tracking-tight">Enclave</span>
            <button type="button" className="rounded p-1.5 md:hidden" aria-label="Close menu" onClick={() => setOpen(false)}>
              <X className="size-5" />
            </button>
          </div>
          <div className="min-h-0 flex-1">
            <Sidebar onNavigate={() => setOpen(false)} />
          </div>
          <div className="border-t border-neutral-200 p-3 text-sm dark:border-neutral-800">
            <div className="truncate font-medium" data-testid="current-user">
              {user.name}
            </div>
            <div className="truncate text-xs text-muted">{user.email}</div>
            <div className="truncate text-xs text-muted" data-testid="current-org">
              {user.orgName} · {user.role}
              {user.teamName ? ` · ${user.teamName}` : ""}
            </div>
            <nav aria-label="Workspace" className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-xs">
              <Link href="/settings" className="text-neutral-600 underline-offset-2 hover:underline dark:text-neutral-400">
                Settings
              </Link>
              {nav.team && (
                <Link href="/team" className="text-neutral-600 underline-offset-2 hover:underline dark:text-neutral-400">
                  Team conversations
                </Link>
              )}
              {nav.admin && (
                <Link href="/admin" className="text-neutral-600 underline-offset-2 hover:underline dark:text-neutral-400">
                  Admin
                </Link>
              )}
            </nav>
            <form
              action={async (formData) => {
                await signOutAction(formData);
              }}
              className="mt-2"
            >
              <button className="text-xs font-medium text-neutral-600 underline underline-offset-2 dark:text-neutral-400">Sign out</button>
            </form>
          </div>
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-12 shrink-0 items-center gap-3 border-b border-neutral-200 px-3 dark:border-neutral-800">
          <button
            type="button"
            className="rounded p-1.5 md:hidden"
            aria-label="Open menu"
            aria-expanded={open}
            onClick={() => setOpen(true)}
          >
            <Menu className="size-5" />
          </button>
          <span className="font-medium md:hidden">Enclave</span>
          <span
            className={`ml-auto rounded-full px-2.5 py-0.5 text-xs font-medium ${isOffline ? "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200" : "bg-neutral-100 text-neutral-700 dark:bg-neutral-800 dark:text-neutral-300"}`}
            title={isOffline ? "No AI provider is configured: replies come from Enclave's deterministic built-in model." : undefined}
            data-testid="model-badge"
          >
            {modelLabel}
          </span>
        </header>
        <main className="min-h-0 flex-1">{children}</main>
      </div>
    </div>
  );
}
