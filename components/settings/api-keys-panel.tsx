"use client";

import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { ApiKeyDto, CreatedApiKeyDto } from "@/lib/apikeys/schema";
import { InlineAlert } from "@/components/ui/inline-alert";
import { ApiKeyRow } from "./api-key-row";
import { fetchKeys, KeysApiError, revokeKey } from "./api-keys-client";
import { CreateApiKeyForm, type ScopeOption } from "./create-api-key-form";
import { NewApiKeyNotice } from "./new-api-key-notice";

interface ListState {
  items: ApiKeyDto[];
  loading: boolean;
  error: string | null;
  /** When the list was loaded: "expired" is judged against it, not against each render. */
  loadedAt: number;
}

const noop = () => () => {};

/** Settings → API keys: the list of my keys, the create form and the once-only new key. */
export function ApiKeysPanel({ scopes }: { scopes: ScopeOption[] }) {
  const [state, setState] = useState<ListState>({ items: [], loading: true, error: null, loadedAt: 0 });
  const [created, setCreated] = useState<CreatedApiKeyDto | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const origin = useSyncExternalStore(noop, () => window.location.origin, () => "");

  const reload = useCallback(async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      const items = await fetchKeys();
      setState({ items, loading: false, error: null, loadedAt: Date.now() });
    } catch (e) {
      setState((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : "Could not load your API keys." }));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  function onCreated(k: CreatedApiKeyDto) {
    setCreated(k);
    setActionError(null);
    void reload();
  }

  async function onRevoke(id: string): Promise<boolean> {
    setActionError(null);
    try {
      await revokeKey(id);
      await reload();
      return true;
    } catch (e) {
      // A key that is already gone (e.g. revoked in another tab) just needs a fresh list.
      if (e instanceof KeysApiError && e.status === 404) {
        await reload();
        return true;
      }
      setActionError(e instanceof Error ? e.message : "Could not revoke the key. Retry.");
      return false;
    }
  }

  const firstLoad = state.loading && state.items.length === 0 && !state.error;
  return (
    <div className="space-y-6">
      <section aria-labelledby="keys-intro-heading" className="space-y-2 text-sm">
        <h2 id="keys-intro-heading" className="text-base font-semibold">
          API keys
        </h2>
        <p className="text-neutral-600 dark:text-neutral-400">
          Personal keys let scripts and OpenAI-compatible tools chat with Enclave as you. A key can only do what its scopes allow,
          and never more than you can. Conversations started with a key appear in your sidebar.
        </p>
        <p className="text-neutral-600 dark:text-neutral-400">
          Use any OpenAI client with base URL{" "}
          <code className="rounded bg-neutral-100 px-1 font-mono text-xs dark:bg-neutral-800">{origin}/api/v1</code> and model{" "}
          <code className="rounded bg-neutral-100 px-1 font-mono text-xs dark:bg-neutral-800">enclave</code>.
        </p>
      </section>

      {created && <NewApiKeyNotice created={created} onDismiss={() => setCreated(null)} />}

      <CreateApiKeyForm scopes={scopes} onCreated={onCreated} />

      <section aria-labelledby="keys-list-heading" aria-busy={state.loading}>
        <h3 id="keys-list-heading" className="text-sm font-semibold">
          Your keys
        </h3>
        {actionError && <InlineAlert className="mt-2">{actionError}</InlineAlert>}
        {state.error && (
          <InlineAlert className="mt-2">
            {state.error}{" "}
            <button type="button" className="font-medium underline" onClick={() => void reload()}>
              Retry
            </button>
          </InlineAlert>
        )}
        {firstLoad ? (
          <ul aria-label="Loading API keys" className="mt-2 space-y-2">
            {[0, 1].map((i) => (
              <li key={i} className="h-16 animate-pulse rounded-lg bg-neutral-200 dark:bg-neutral-800" />
            ))}
          </ul>
        ) : state.items.length === 0 && !state.error ? (
          <p className="mt-2 rounded-lg border border-dashed border-neutral-300 p-4 text-center text-sm text-muted dark:border-neutral-700" data-testid="api-keys-empty">
            You have no API keys yet. Create one above to use Enclave from scripts and tools.
          </p>
        ) : (
          <ul className="mt-2 space-y-2" data-testid="api-key-list">
            {state.items.map((k) => (
              <ApiKeyRow key={k.id} apiKey={k} now={state.loadedAt} onRevoke={onRevoke} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
