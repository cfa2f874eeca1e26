import { useSyncExternalStore } from "react";

const noop = () => () => {};

/** False during SSR and the hydration pass, true once React owns the page (inputs can be enabled). */
export function useHydrated(): boolean {
  return useSyncExternalStore(noop, () => true, () => false);
}
