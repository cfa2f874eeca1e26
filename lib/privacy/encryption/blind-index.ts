import { createHash, type Hash } from "node:crypto";

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

/** Distinct terms remembered per index key: most words of a conversation recur. */
const CACHE_MAX = 20_000;

/**
 * One org's index key, prepared: HMAC-SHA256 from pre-keyed inner and outer hash states (what
 * createHmac recomputes for every term, several times slower), and the hashes of terms seen
 * recently kept in memory (the app server holds the text anyway), so a message costs a few
 * microseconds per new word and a map lookup per repeated one.
 */
export class BlindIndex {
  private readonly inner: Hash;
  private readonly outer: Hash;
  private readonly seen = new Map<string, string>();

  constructor(key: Buffer) {
    const block = Buffer.alloc(64);
    (key.length > 64 ? createHash("sha256").update(key).digest() : key).copy(block);
    this.inner = createHash("sha256").update(block.map((b) => b ^ 0x36));
    this.outer = createHash("sha256").update(block.map((b) => b ^ 0x5c));
  }

  private hash(term: string): string {
    const hit = this.seen.get(term);
    if (hit) return hit;
    const mac = this.outer.copy().update(this.inner.copy().update(term, "utf8").digest()).digest();
    const out = mac.subarray(0, HASH_BYTES).toString("base64url");
    if (this.seen.size >= CACHE_MAX) this.seen.clear();
    this.seen.set(term, out);
    return out;
  }

  /** The index entries of a text: one per distinct word and word prefix, sorted. */
  terms(text: string): string[] {
    const terms = new Set<string>();
    for (const w of new Set(words(text))) {
      terms.add(`w:${w}`);
      const chars = [...w];
      for (let n = PREFIX_MIN; n <= Math.min(chars.length, PREFIX_MAX); n++) terms.add(`p:${chars.slice(0, n).join("")}`);
    }
    return [...terms].map((t) => this.hash(t)).sort();
  }

  /**
   * The hash a query word is looked up by: a word of 3–8 letters matches every indexed word it
   * begins ("unit" finds "units"); shorter or longer ones match that exact word.
   */
  query(word: string): string {
    const n = [...word].length;
    return this.hash(n >= PREFIX_MIN && n <= PREFIX_MAX ? `p:${word}` : `w:${word}`);
  }
}

/** The index entries of a text under `key` (one-off; ContentCipher keeps a prepared BlindIndex). */
export function indexTerms(key: Buffer, text: string): string[] {
  return new BlindIndex(key).terms(text);
}

export function queryTerm(key: Buffer, word: string): string {
  return new BlindIndex(key).query(word);
}
