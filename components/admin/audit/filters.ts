/**
 * The audit log's filters as they travel: in the page's URL (so a filtered view can be shared
 * and survives a reload), to the list API and to the export links. Values are kept as the
 * person typed them; the API validates them and names a bad field.
 */
export const FILTER_KEYS = ["user", "action", "conversation", "outcome", "from", "to"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type AuditFilters = Record<FilterKey, string>;

export const NO_FILTERS: AuditFilters = {
  user: "",
  action: "",
  conversation: "",
  outcome: "",
  from: "",
  to: "",
};

export const PAGE_SIZE = 50;

/** From a URL's query (a page's searchParams or URLSearchParams); unknown keys are dropped. */
export function filtersFrom(
  source: URLSearchParams | Record<string, string | string[] | undefined>,
): AuditFilters {
  const get = (k: string): string => {
    if (source instanceof URLSearchParams) return source.get(k) ?? "";
    const v = source[k];
    return (Array.isArray(v) ? v[0] : v) ?? "";
  };
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, get(k).trim().slice(0, 400)])) as AuditFilters;
}

/** The query string of the non-empty filters, in a stable order (no leading "?"). */
export function filterQuery(f: AuditFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  for (const k of FILTER_KEYS) if (f[k].trim()) q.set(k, f[k].trim());
  return q.toString();
}

export function hasFilters(f: AuditFilters): boolean {
  return FILTER_KEYS.some((k) => f[k].trim() !== "");
}

/**
 * What a `datetime-local` input can show for a filter value: "YYYY-MM-DDTHH:mm" in UTC (the
 * console works in UTC). Values given with a zone or as a date are converted; others show empty.
 */
export function toInputValue(raw: string): string {
  const v = raw.trim();
  if (!v) return "";
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) return v;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00:00`;
  const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 16);
}

/** An event's page; with `backQuery` (the log's filters), its "← Audit log" link returns to them. */
export function eventHref(id: string, backQuery = ""): string {
  return `/admin/audit/${encodeURIComponent(id)}${backQuery ? `?back=${encodeURIComponent(backQuery)}` : ""}`;
}
