"use client";

import { Plus } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import type { ConversationDto } from "@/lib/conversations/queries";
import { Spinner } from "@/components/ui/spinner";
import { parseApiError } from "./api-error";
import { CONVERSATIONS_CHANGED, notifyConversationsChanged } from "./events";

const PAGE = 30;

interface ListState {
  items: ConversationDto[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
}

async function fetchPage(cursor: string | null): Promise<{ items: ConversationDto[]; nextCursor: string | null }> {
  const q = new URLSearchParams({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
  const res = await fetch(`/api/conversations?${q}`, { cache: "no-store" });
  if (!res.ok) throw new Error(await res.text());
  return res.json();
}

export function Sidebar({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const router = useRouter();
  const [state, setState] = useState<ListState>({ items: [], nextCursor: null, loading: true, error: null });

  const reload = useCallback(async () => {
    try {
      const page = await fetchPage(null);
      setState({ ...page, loading: false, error: null });
    } catch (e) {
      setState((s) => ({ ...s, loading: false, error: parseApiError(e).message }));
    }
  }, []);

  useEffect(() => {
    void reload();
    const handler = () => void reload();
    window.addEventListener(CONVERSATIONS_CHANGED, handler);
    return () => window.removeEventListener(CONVERSATIONS_CHANGED, handler);
  }, [reload]);

  async function loadMore() {
    if (!state.nextCursor) return;
    setState((s) => ({ ...s, loading: true }));
    try {
      const page = await fetchPage(state.nextCursor);
      setState((s) => ({
        items: [...s.items, ...page.items.filter((c) => !s.items.some((x) => x.id === c.id))],
        nextCursor: page.nextCursor,
        loading: false,
        error: null,
      }));
    } catch (e) {
      setState((s) => ({ ...s, loading: false, error: parseApiError(e).message }));
    }
  }

  async function rename(id: string, title: string) {
    const res = await fetch(`/api/conversations/${encodeURIComponent(id)}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });
    if (!res.ok) {
      const message = parseApiError(new Error(await res.text())).message;
      setState((s) => ({ ...s, error: `Could not rename: ${message}` }));
      return;
    }
    const updated = (await res.json()) as ConversationDto;
    setState((s) => ({ ...s, items: s.items.map((c) => (c.id === id ? { ...c, title: updated.title } : c)) }));
  }

  async function remove(id: string) {
    const res = await fetch(`/api/conversations/${encodeURIComponent(id)}`, { method: "DELETE" });
    if (!res.ok && res.status !== 404) {
      setState((s) => ({ ...s, error: "Could not delete the conversation. Retry." }));
      return;
    }
    setState((s) => ({ ...s, items: s.items.filter((c) => c.id !== id) }));
    if (pathname === `/chat/${id}`) startNewChat();
    notifyConversationsChanged();
  }

  // A chat started on /chat moves to /chat/<id> with history.replaceState, so the router still
  // holds the /chat page it rendered, with that conversation in it: a plain navigation to /chat
  // would show it again. Refresh so the server renders a new, empty chat.
  function startNewChat() {
    router.push("/chat");
    router.refresh();
  }

  function onNewChatClick(e: React.MouseEvent<HTMLAnchorElement>) {
    onNavigate?.();
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    startNewChat();
  }

  return (
    <nav aria-label="Conversations" className="flex h-full min-h-0 flex-col">
      <div className="p-3">
        <Link
          href="/chat"
          onClick={onNewChatClick}
          className="flex w-full items-center justify-center gap-2 rounded-lg border border-neutral-300 px-3 py-2 text-sm font-medium hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-800"
        >
          <Plus className="size-4 shrink-0" />
          New chat
        </Link>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-2 pb-3">
        {state.error && (
          <p role="alert" className="mx-1 mb-2 rounded-md bg-red-50 p-2 text-xs text-red-800 dark:bg-red-950 dark:text-red-200">
            {state.error}{" "}
            <button className="underline" onClick={() => void reload()}>
              Retry
            </button>
          </p>
        )}
        {state.loading && state.items.length === 0 ? (
          <ul aria-label="Loading conversations" className="space-y-2 px-1">
            {[0, 1, 2, 3].map((i) => (
              <li key={i} className="h-8 animate-pulse rounded-md bg-neutral-200 dark:bg-neutral-800" />
            ))}
          </ul>
        ) : state.items.length === 0 && !state.error ? (
          <p className="px-2 py-6 text-center text-sm text-muted">No conversations yet. Say hello to get started.</p>
        ) : (
          <ul className="space-y-0.5" data-testid="conversation-list">
            {state.items.map((c) => (
              <ConversationRow
                key={c.id}
                c={c}
                active={pathname === `/chat/${c.id}`}
                onNavigate={onNavigate}
                onRename={(t) => rename(c.id, t)}
                onDelete={() => remove(c.id)}
              />
            ))}
          </ul>
        )}
        {state.nextCursor && (
          <button
            type="button"
            onClick={() => void loadMore()}
            disabled={state.loading}
            className="mt-2 flex w-full items-center justify-center gap-2 rounded-md px-2 py-1.5 text-sm text-neutral-600 hover:bg-neutral-100 dark:text-neutral-400 dark:hover:bg-neutral-800"
          >
            {state.loading ? <Spinner /> : "Load more"}
          </button>
        )}
      </div>
    </nav>
  );
}

function ConversationRow({
  c,
  active,
  onNavigate,
  onRename,
  onDelete,
}: {
  c: ConversationDto;
  active: boolean;
  onNavigate?: () => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => Promise<void>;
}) {
  const [mode, setMode] = useState<"view" | "rename" | "confirm-delete">("view");
  const [draft, setDraft] = useState(c.title);

  if (mode === "rename") {
    return (
      <li>
        <form
          className="flex gap-1 px-1"
          onSubmit={(e) => {
            e.preventDefault();
            const t = draft.trim();
            if (t && t !== c.title) void onRename(t);
            setMode("view");
          }}
        >
          <label htmlFor={`rename-${c.id}`} className="sr-only">
            New title
          </label>
          <input
            id={`rename-${c.id}`}
            autoFocus
            value={draft}
            maxLength={200}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") setMode("view");
            }}
            className="min-w-0 flex-1 rounded border border-neutral-400 bg-transparent px-2 py-1 text-sm"
          />
          <button className="rounded px-2 text-sm font-medium">Save</button>
        </form>
      </li>
    );
  }
  if (mode === "confirm-delete") {
    return (
      <li className="flex items-center gap-2 rounded-md bg-red-50 px-2 py-1.5 text-sm dark:bg-red-950">
        <span className="flex-1 truncate">Delete “{c.title}”?</span>
        <button className="font-medium text-red-700 dark:text-red-300" onClick={() => void onDelete()}>
          Delete
        </button>
        <button onClick={() => setMode("view")}>Cancel</button>
      </li>
    );
  }
  return (
    <li className={`group flex items-center rounded-md ${active ? "bg-neutral-200 dark:bg-neutral-800" : "hover:bg-neutral-100 dark:hover:bg-neutral-900"}`}>
      <Link
        href={`/chat/${c.id}`}
        onClick={onNavigate}
        aria-current={active ? "page" : undefined}
        className="min-w-0 flex-1 truncate px-2 py-1.5 text-sm"
        title={c.title}
      >
        {c.title}
      </Link>
      <div className="flex shrink-0 opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
        <button
          type="button"
          aria-label={`Rename ${c.title}`}
          onClick={() => {
            setDraft(c.title);
            setMode("rename");
          }}
          className="rounded px-1.5 py-1 text-xs text-muted hover:text-neutral-900 dark:hover:text-neutral-100"
        >
          Rename
        </button>
        <button
          type="button"
          aria-label={`Delete ${c.title}`}
          onClick={() => setMode("confirm-delete")}
          className="rounded px-1.5 py-1 text-xs text-muted hover:text-red-700 dark:hover:text-red-400"
        >
          Delete
        </button>
      </div>
    </li>
  );
}
