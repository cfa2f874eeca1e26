import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The request a piece of code is running for. The route wrappers (lib/http/route.ts) enter it
 * with the request id and fill in the user and org once the principal is known; the logger
 * reads it, so every line logged while handling a request says which request and whose it was.
 *
 * The store lives on globalThis: Next loads modules into several graphs (instrumentation, route
 * bundles), and the logger created in one must see the context entered in another.
 */
export interface RequestContext {
  /** Minted by the server (lib/http/request-id.ts). */
  requestId: string;
  /** The caller's own x-request-id, if it sent one: recorded, never used as the request id. */
  clientRequestId?: string;
  userId?: string;
  orgId?: string;
}

const holder = globalThis as typeof globalThis & {
  __enclaveRequestContext?: AsyncLocalStorage<RequestContext>;
};
const storage: AsyncLocalStorage<RequestContext> = (holder.__enclaveRequestContext ??=
  new AsyncLocalStorage<RequestContext>());

/** Runs `fn` (and everything it starts) inside a request context. */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run({ ...ctx }, fn);
}

/** The current request's context, if code is running on behalf of one. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Records who the current request acts for (after authentication). No-op outside a request. */
export function setRequestPrincipal(who: { userId: string; orgId: string }): void {
  const store = storage.getStore();
  if (!store) return;
  store.userId = who.userId;
  store.orgId = who.orgId;
}
