/** Deterministic formatting for the agents console (the same on the server and in the browser). */
export { formatTime } from "../audit/format";

/** 45000 → "45 s", 1500 → "1.5 s". */
export function formatTimeout(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export function tierLabel(tier: "small" | "large"): string {
  return tier === "large" ? "Large" : "Small";
}

/** The roles an agent is limited to, by name ("Everyone who may chat" when none). */
export function rolesLabel(keys: readonly string[], roles: ReadonlyArray<{ key: string; name: string }>): string {
  if (keys.length === 0) return "Everyone who may chat";
  return keys.map((k) => roles.find((r) => r.key === k)?.name ?? k).join(", ");
}
