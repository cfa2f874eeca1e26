import { describe, expect, it } from "vitest";
import { compactDiff, diffLines, diffStats } from "./version-diff";

describe("instruction line diff", () => {
  it("marks removed and added lines between kept ones, in reading order", () => {
    expect(diffLines("a\nb\nc\nd", "a\nc\nX\nd")).toEqual([
      { op: "same", text: "a" },
      { op: "del", text: "b" },
      { op: "same", text: "c" },
      { op: "add", text: "X" },
      { op: "same", text: "d" },
    ]);
  });

  it("handles empty texts and CRLF line ends", () => {
    expect(diffLines("", "one\ntwo")).toEqual([
      { op: "add", text: "one" },
      { op: "add", text: "two" },
    ]);
    expect(diffLines("one", "")).toEqual([{ op: "del", text: "one" }]);
    expect(diffLines("same\r\ntext", "same\ntext").every((l) => l.op === "same")).toBe(true);
  });

  it("rebuilds both texts from the diff (a random round trip)", () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const pick = () => Array.from({ length: Math.floor(rand() * 12) }, () => "abcde"[Math.floor(rand() * 5)]!).join("\n");
      const before = pick();
      const after = pick();
      const d = diffLines(before, after);
      expect(d.filter((l) => l.op !== "add").map((l) => l.text).join("\n")).toBe(before);
      expect(d.filter((l) => l.op !== "del").map((l) => l.text).join("\n")).toBe(after);
    }
  });

  it("finds a minimal diff for small inputs (an LCS, not just remove-all/add-all)", () => {
    const d = diffLines("x\na\nb\nc\ny", "a\nb\nc");
    expect(diffStats(d)).toEqual({ added: 0, removed: 2 });
  });

  it("stays fast and correct for the largest texts (10,000 one-character lines each: the remove-then-add fallback)", () => {
    const before = Array.from({ length: 10_000 }, (_, i) => String(i % 7)).join("\n");
    const after = Array.from({ length: 10_000 }, (_, i) => String(i % 5)).join("\n");
    const started = performance.now();
    const d = diffLines(before, after);
    console.log(`diff of 10,000 × 10,000 lines: ${(performance.now() - started).toFixed(0)} ms, ${d.length} lines`);
    expect(d.filter((l) => l.op !== "add").map((l) => l.text).join("\n")).toBe(before);
    expect(d.filter((l) => l.op !== "del").map((l) => l.text).join("\n")).toBe(after);
  });

  it("compacts long unchanged runs into skips around each change", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const after = before.replace("line 10", "LINE TEN");
    expect(compactDiff(diffLines(before, after), 1)).toEqual([
      { op: "skip", count: 9 },
      { op: "same", text: "line 9" },
      { op: "del", text: "line 10" },
      { op: "add", text: "LINE TEN" },
      { op: "same", text: "line 11" },
      { op: "skip", count: 8 },
    ]);
    expect(compactDiff(diffLines("a", "a"))).toEqual([{ op: "skip", count: 1 }]);
  });
});
