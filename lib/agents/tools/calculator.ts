import { tool } from "ai";
import { z } from "zod";

/**
 * Arithmetic the model can hand off instead of guessing: + - * / % ^, parentheses, decimals.
 * A small recursive-descent parser; nothing is ever eval'd.
 */
export function evaluateExpression(source: string): number {
  const s = source.replace(/\s+/g, "");
  let i = 0;
  const peek = () => s[i];
  const fail = (why: string): never => {
    throw new Error(`${why} at position ${i + 1} of "${source.slice(0, 200)}"`);
  };
  function number(): number {
    const m = /^\d+(\.\d+)?|^\.\d+/.exec(s.slice(i));
    if (!m) fail("expected a number");
    i += m![0].length;
    return Number(m![0]);
  }
  function atom(): number {
    if (peek() === "(") {
      i++;
      const v = sum();
      if (peek() !== ")") fail("expected ')'");
      i++;
      return v;
    }
    if (peek() === "-") {
      i++;
      return -atom();
    }
    if (peek() === "+") {
      i++;
      return atom();
    }
    return number();
  }
  function power(): number {
    const base = atom();
    if (peek() === "^") {
      i++;
      return base ** power();
    }
    return base;
  }
  function product(): number {
    let v = power();
    for (;;) {
      const op = peek();
      if (op !== "*" && op !== "/" && op !== "%") return v;
      i++;
      const r = power();
      v = op === "*" ? v * r : op === "/" ? v / r : v % r;
    }
  }
  function sum(): number {
    let v = product();
    for (;;) {
      const op = peek();
      if (op !== "+" && op !== "-") return v;
      i++;
      const r = product();
      v = op === "+" ? v + r : v - r;
    }
  }
  if (!s) fail("empty expression");
  if (s.length > 500) throw new Error("expression too long (max 500 characters)");
  const value = sum();
  if (i !== s.length) fail(`unexpected "${s[i]}"`);
  if (!Number.isFinite(value)) throw new Error("the result is not a finite number (division by zero?)");
  return value;
}

export const calculator = tool({
  description: "Evaluate an arithmetic expression exactly, e.g. (1200 * 0.15) + 42. Supports + - * / % ^ and parentheses.",
  inputSchema: z.object({ expression: z.string().min(1).max(500).describe("The arithmetic expression") }),
  execute: async ({ expression }) => {
    try {
      return { expression, result: evaluateExpression(expression) };
    } catch (e) {
      return { expression, error: (e as Error).message };
    }
  },
});
