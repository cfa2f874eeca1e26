import { tool } from "ai";
import { z } from "zod";
import { evaluateExpression } from "./calculator";

export interface TableRow {
  label: string;
  expression: string;
}

const MAX_ROWS = 50;

/** Escapes what would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}

/**
 * A small table of computed figures: each row's expression evaluated by the calculator's parser
 * (never eval), an optional total, and the table as Markdown, so the figures in it are exact.
 */
export function tabulate(rows: TableRow[], opts: { total?: boolean; valueHeader?: string } = {}): { rows: Array<TableRow & { value?: number; error?: string }>; total?: number; markdown: string } {
  const out = rows.slice(0, MAX_ROWS).map((r): TableRow & { value?: number; error?: string } => {
    try {
      return { ...r, value: evaluateExpression(r.expression) };
    } catch (e) {
      return { ...r, error: (e as Error).message };
    }
  });
  const values = out.flatMap((r) => (r.value === undefined ? [] : [r.value]));
  const total = opts.total && values.length === out.length ? Number(values.reduce((a, b) => a + b, 0).toPrecision(15)) : undefined;
  const lines = [`| Item | ${cell(opts.valueHeader ?? "Value")} |`, "| --- | ---: |"];
  for (const r of out) lines.push(`| ${cell(r.label)} | ${r.value !== undefined ? r.value : `error: ${cell(r.error ?? "")}`} |`);
  if (total !== undefined) lines.push(`| **Total** | **${total}** |`);
  return { rows: out, ...(total !== undefined ? { total } : {}), markdown: lines.join("\n") };
}

export const table = tool({
  description: "Build a small Markdown table of computed figures: each row a label and an arithmetic expression, evaluated exactly; optionally a total.",
  inputSchema: z.object({
    rows: z.array(z.object({ label: z.string().min(1).max(100), expression: z.string().min(1).max(500) })).min(1).max(MAX_ROWS),
    total: z.boolean().optional().describe("Add a total row"),
    valueHeader: z.string().max(40).optional().describe("Header of the value column"),
  }),
  execute: async ({ rows, total, valueHeader }) => tabulate(rows, { total, valueHeader }),
});
