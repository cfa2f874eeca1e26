/**
 * One abort signal for the whole turn: the caller leaving (disconnect, stop) or the turn's
 * deadline passing aborts every model call and branch under it.
 */
export interface TurnSignal {
  signal: AbortSignal;
  abort(reason: unknown): void;
  /** Whether the turn was aborted because its deadline passed. */
  timedOut(): boolean;
  /** Stops watching the caller and the clock (the turn is over). */
  dispose(): void;
}

const TIMEOUT = Symbol("turn timeout");

export function turnSignal(caller: AbortSignal | undefined, timeoutMs: number): TurnSignal {
  const ac = new AbortController();
  const onCallerGone = () => ac.abort(caller?.reason ?? "caller went away");
  if (caller?.aborted) onCallerGone();
  caller?.addEventListener("abort", onCallerGone, { once: true });
  const timer = setTimeout(() => ac.abort(TIMEOUT), timeoutMs);
  return {
    signal: ac.signal,
    abort: (reason) => ac.abort(reason),
    timedOut: () => ac.signal.reason === TIMEOUT,
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onCallerGone);
    },
  };
}
