/** Deterministic formatting (the same on the server and in the browser): times in UTC. */

export function formatTime(iso: string, opts: { ms?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, opts.ms ? 23 : 19)}`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function shortId(id: string, n = 10): string {
  return id.length > n ? `${id.slice(0, n)}…` : id;
}

export function targetLabel(t: { type: string; id: string } | null): string {
  return t ? `${t.type} ${t.id}` : "—";
}
