import { z } from "zod";

/**
 * Text PostgreSQL cannot store: a NUL character (22021 in text, 22P05 in jsonb) or an unpaired
 * UTF-16 surrogate (no UTF-8 form; JSON.parse happily makes one from "\ud800"). Every string that
 * comes from a request and reaches the database goes through one of the two schemas below, so such
 * input is a clear 4xx (or is cleaned) instead of a 500 from the database.
 */
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const UNSTORABLE_TEXT_MESSAGE = "contains a NUL character or an unpaired surrogate (invalid Unicode)";

/** True when the string holds a NUL or a lone surrogate. */
export function isUnstorableText(s: string): boolean {
  NUL.lastIndex = 0;
  LONE_SURROGATE.lastIndex = 0;
  return NUL.test(s) || LONE_SURROGATE.test(s);
}

/** NULs removed, lone surrogates replaced by U+FFFD; well-formed text comes back unchanged. */
export function scrubText(s: string): string {
  return s.replace(NUL, "").replace(LONE_SURROGATE, "\uFFFD");
}

/**
 * A name, title, id or search term: refused (422, or the route's 4xx, naming the field) when it
 * holds what cannot be stored. Chain .trim(), .min(), .max() after it as with z.string().
 */
export function plainText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine((s) => !isUnstorableText(s), { message: UNSTORABLE_TEXT_MESSAGE, abort: true });
}

/** Free-form text (what a user writes to the model): cleaned rather than refused, so nothing else of it is lost. */
export function freeText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).overwrite(scrubText);
}
