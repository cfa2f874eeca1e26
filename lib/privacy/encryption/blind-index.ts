import { createHmac } from "node:crypto";

/**
 * The blind index that keeps encrypted text searchable: each normalized word of a text, and
 * each of its prefixes of PREFIX_MIN..PREFIX_MAX letters, stored as a keyed HMAC (the org's
 * index key), never as the word. A search hashes its words the same way and compares hashes.
 * What it gives away: that two rows of one org share a word (and how often a hash occurs);
 * not the word, and nothing across orgs (each has its own key).
 */
const PREFIX_MIN = 3;
const PREFIX_MAX = 8;
const MAX_WORD = 64;
/** 12 bytes of HMAC-SHA256: collisions are negligible at any one person's volume of text. */
const HASH_BYTES = 12;

/** The words of a text as search sees them: NFKC, lower case, letters and digits, 2–64 long. */
export function words(text: string): string[] {
  return (text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1 && w.length <= MAX_WORD);
}

function hmac(key: Buffer, term: string): string {
  return createHmac("sha256", key).update(term, "utf8").digest().subarray(0, HASH_BYTES).toString("base64url");
}

/** The index entries of a text: one per distinct word and word prefix, in no meaningful order. */
export function indexTerms(key: Buffer, text: string): string[] {
  const terms = new Set<string>();
  for (const w of new Set(words(text))) {
    terms.add(`w:${w}`);
    const chars = [...w];
    for (let n = PREFIX_MIN; n <= Math.min(chars.length, PREFIX_MAX); n++) terms.add(`p:${chars.slice(0, n).join("")}`);
  }
  return [...terms].map((t) => hmac(key, t)).sort();
}

/**
 * The hash a query word is looked up by: a word of 3–8 letters matches every indexed word it
 * begins ("unit" finds "units"); shorter or longer ones match that exact word.
 */
export function queryTerm(key: Buffer, word: string): string {
  const n = [...word].length;
  return hmac(key, n >= PREFIX_MIN && n <= PREFIX_MAX ? `p:${word}` : `w:${word}`);
}
