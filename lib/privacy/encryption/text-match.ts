import { words } from "./blind-index";

/**
 * What the blind index answers, computed again on opened text: ranking and highlighting happen
 * in the app once a candidate row is decrypted (PostgreSQL only ever sees ciphertext and hashes).
 * A query word of 3–8 letters matches a word it begins, any other only itself: the same rule as
 * `queryTerm`, so a row the index found is a row this matches.
 */
export function wordMatches(queryWord: string, word: string): boolean {
  const n = [...queryWord].length;
  return n >= 3 && n <= 8 ? word.startsWith(queryWord) : word === queryWord;
}

/** How many of the query words occur in the text. */
export function matchedCount(queryWords: readonly string[], text: string): number {
  const present = new Set(words(text));
  return queryWords.filter((q) => [...present].some((w) => wordMatches(q, w))).length;
}

const TOKEN = /[\p{L}\p{N}]+/gu;

/**
 * The passage around the first matches, matched words wrapped in ** (as ts_headline did):
 * up to two fragments of about `maxWords` words, joined with an ellipsis.
 */
export function highlight(text: string, queryWords: readonly string[], maxWords = 30): string {
  const tokens = [...text.matchAll(TOKEN)].map((m) => {
    const norm = m[0].normalize("NFKC").toLowerCase();
    return { start: m.index, end: m.index + m[0].length, hit: queryWords.some((q) => wordMatches(q, norm)) };
  });
  if (tokens.length === 0) return text.slice(0, 200);
  const hits = tokens.flatMap((t, i) => (t.hit ? [i] : []));
  const windows: Array<[number, number]> = [];
  for (const i of hits.length > 0 ? hits : [0]) {
    if (windows.length === 2) break;
    const last = windows[windows.length - 1];
    if (last && i <= last[1]) continue;
    const from = Math.max(0, i - Math.floor(maxWords / 3));
    windows.push([from, Math.min(tokens.length - 1, from + maxWords - 1)]);
  }
  return windows
    .map(([a, b]) => {
      let out = "";
      let at = tokens[a]!.start;
      for (let i = a; i <= b; i++) {
        const t = tokens[i]!;
        out += text.slice(at, t.start) + (t.hit ? `**${text.slice(t.start, t.end)}**` : text.slice(t.start, t.end));
        at = t.end;
      }
      // Trailing punctuation of the last word ("euros.") belongs to the passage.
      const tail = text.slice(at).match(/^[^\p{L}\p{N}\s]*/u)?.[0] ?? "";
      return out + tail;
    })
    .join(" … ");
}
