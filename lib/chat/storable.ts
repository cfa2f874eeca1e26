/**
 * Text a database column can hold. PostgreSQL refuses NUL in text and jsonb (22021 / 22P05) and a
 * lone UTF-16 surrogate cannot be encoded as UTF-8, so one such character in a model's reply
 * would make the whole reply unsavable. NULs are dropped and lone surrogates become U+FFFD.
 */
const NEEDS_CLEANING = /[\u0000\uD800-\uDFFF]/;

export function storableString(s: string): string {
  if (!NEEDS_CLEANING.test(s)) return s;
  return (s as string & { toWellFormed(): string }).toWellFormed().replace(/\u0000/g, "");
}

/** The same for every string inside a JSON-shaped value (tool inputs and outputs). */
export function storableValue(v: unknown): unknown {
  if (typeof v === "string") return storableString(v);
  if (Array.isArray(v)) return v.map(storableValue);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[storableString(k)] = storableValue(x);
    return out;
  }
  return v;
}
