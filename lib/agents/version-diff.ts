/**
 * A line diff between two instruction texts, for the admin console's history ("what did this
 * save change?"). Pure and dependency-free, so the console can import it too.
 *
 * Common leading and trailing lines are set aside first (an edit usually touches a few lines of
 * a long text); the rest is diffed by a longest-common-subsequence table. Instructions are at
 * most 20,000 characters, but a text of many one-character lines could still make that table
 * large, so above MAX_CELLS the middle is shown as removed-then-added instead: still a correct
 * diff, only not a minimal one.
 */
export type DiffOp = "same" | "add" | "del";
export interface DiffLine {
  op: DiffOp;
  text: string;
}
/** A run of unchanged lines left out of a compact diff. */
export interface DiffSkip {
  op: "skip";
  count: number;
}
export type CompactDiffLine = DiffLine | DiffSkip;

const MAX_CELLS = 4_000_000;

function lines(text: string): string[] {
  return text === "" ? [] : text.replace(/\r\n?/g, "\n").split("\n");
}

/** Every line of `after` and the lines of `before` it lost, in reading order. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = lines(before);
  const b = lines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: DiffLine[] = a.slice(0, start).map((text) => ({ op: "same", text }));
  const tail: DiffLine[] = a.slice(endA).map((text) => ({ op: "same", text }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  return [...head, ...diffMiddle(midA, midB), ...tail];
}

function diffMiddle(a: string[], b: string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: "add", text }));
  if (m === 0) return a.map((text) => ({ op: "del", text }));
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    return [...a.map((text): DiffLine => ({ op: "del", text })), ...b.map((text): DiffLine => ({ op: "add", text }))];
  }
  // lcs[i * (m + 1) + j] = length of the LCS of a[i..] and b[j..].
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: "same", text: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
      out.push({ op: "del", text: a[i++]! });
    } else {
      out.push({ op: "add", text: b[j++]! });
    }
  }
  while (i < n) out.push({ op: "del", text: a[i++]! });
  while (j < m) out.push({ op: "add", text: b[j++]! });
  return out;
}

/**
 * The diff with only `context` unchanged lines around each change; longer unchanged runs become
 * one `skip`. What the console sends and shows (a 20,000-character text is mostly unchanged).
 */
export function compactDiff(diff: readonly DiffLine[], context = 2): CompactDiffLine[] {
  const keep = diff.map(() => false);
  diff.forEach((l, idx) => {
    if (l.op === "same") return;
    for (let k = Math.max(0, idx - context); k <= Math.min(diff.length - 1, idx + context); k++) keep[k] = true;
  });
  const out: CompactDiffLine[] = [];
  let skipped = 0;
  diff.forEach((l, idx) => {
    if (keep[idx]) {
      if (skipped > 0) out.push({ op: "skip", count: skipped });
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped > 0) out.push({ op: "skip", count: skipped });
  return out;
}

/** How many lines were added and removed. */
export function diffStats(diff: readonly CompactDiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of diff) {
    if (l.op === "add") added++;
    else if (l.op === "del") removed++;
  }
  return { added, removed };
}
