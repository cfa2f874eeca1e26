/**
 * A deterministic, keyword-based routing of a request to specialists. Two callers: the agent
 * team's rules plan (lib/agents/rules-plan.ts, used when the model's plan is invalid) and the
 * offline model (which must plan without reasoning). It lives here, below both, because lib/models
 * may not import lib/agents; it knows the specialists only as plain ids.
 */

export type KeywordSpecialist = "research" | "calculation" | "writing";

export interface KeywordPlanItem {
  agent: KeywordSpecialist;
  task: string;
  /** What the specialist works on: an expression, a search query, or the text to write from. */
  input: string;
}

const CALCULATION = /\bcalculat\w*|\bcompute\b|\bhow much is\b|\bpercent(?:age)?\b|\d\s*%|\d\s*[-+*/^×÷x]\s*[\d(]/iu;
const WRITING = /\bsummari[sz]\w*|\bsummary\b|\bre-?write\b|\brephrase\b|\bdraft\b|\bproofread\w*/iu;
const RESEARCH =
  /\bfind (?:where|when|what) I\b|\bwhere did I\b|\bwhen did I\b|\bdid I (?:ever )?(?:mention|say|write|ask|talk)\b|\bsearch my\b|\bmy (?:earlier|previous|past|old|other) (?:conversations?|chats?|messages?)\b|\bI (?:mentioned|said|wrote) (?:earlier|before)\b/iu;

/** The specialists the keywords call for, in a fixed order, limited to `allowed`. */
export function keywordPlan(text: string, allowed: readonly string[]): KeywordPlanItem[] {
  const t = text.replace(/\s+/g, " ").trim();
  const out: KeywordPlanItem[] = [];
  const may = (a: KeywordSpecialist) => allowed.includes(a);
  if (may("research") && RESEARCH.test(t)) {
    const query = searchQuery(t);
    out.push({ agent: "research", task: `Search the user's earlier conversations for: ${query}`, input: query });
  }
  if (may("calculation") && CALCULATION.test(t)) {
    const expression = arithmeticExpression(t);
    if (expression) out.push({ agent: "calculation", task: `Calculate ${expression}`, input: expression });
  }
  if (may("writing") && WRITING.test(t)) {
    const verb = /summar/i.test(t) ? "Summarize" : /re-?write|rephrase|proofread/i.test(t) ? "Rewrite" : "Draft";
    out.push({ agent: "writing", task: `${verb} as the user asks: ${truncate(t, 200)}`, input: textToWorkOn(t) });
  }
  return out;
}

/**
 * The arithmetic in a sentence as an expression the calculator parses: "15% of 1200" becomes
 * 15*1200/100 (exact in floating point, and "%" is modulo for the calculator), "3 x 4" and
 * "8 ÷ 2" use * and /. Null when there is none.
 */
export function arithmeticExpression(text: string): string | null {
  const pct = /(\d+(?:\.\d+)?)\s*%\s*of\s*(\d+(?:\.\d+)?)/iu.exec(text) ?? /(\d+(?:\.\d+)?)\s*percent\s*of\s*(\d+(?:\.\d+)?)/iu.exec(text);
  if (pct) return `${pct[1]}*${pct[2]}/100`;
  const runs = text.match(/[-+(]*\d[\d.,\s+\-*/^()×÷x%]*[\d)%]/giu) ?? [];
  let best: string | null = null;
  for (const run of runs) {
    const expr = run
      .replace(/(\d),(\d{3})/g, "$1$2")
      .replace(/[×x]/giu, "*")
      .replace(/÷/gu, "/")
      .replace(/(\d+(?:\.\d+)?)%(?!\s*\d)/gu, "($1/100)")
      .replace(/\s+/g, "")
      .replace(/^[+*/^]+|[-+*/^]+$/g, "");
    if (!/[\d)][-+*/^%][-(]*\d/.test(expr) && !/\(\d+(?:\.\d+)?\/100\)/.test(expr)) continue;
    if (!best || expr.length > best.length) best = expr;
  }
  return best;
}

const STOP = new Set(
  "a an and are about as at be by can conversations conversation chats chat messages message did do earlier ever find for from had have i in is it me mention mentioned my of on or our past please previous said say search show talk talked tell that the this to was we what when where which who wrote write you old other calculate compute summarize summarise summary rewrite draft percent".split(" "),
);

/** The content words of a "find where I …" request: what to search for. */
export function searchQuery(text: string): string {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w) && w.length > 1))];
  return words.slice(0, 8).join(" ") || text.slice(0, 100);
}

/** The text after a colon ("Summarize this: …"), else the whole request. */
function textToWorkOn(text: string): string {
  const i = text.indexOf(":");
  const after = i >= 0 ? text.slice(i + 1).trim() : "";
  return after.length > 0 ? after : text;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
