/**
 * What encryption at rest costs a chat turn, in CPU, outside any database.
 *
 *   npm run bench:encryption -- [--iterations 2000] [--words 45,1500]
 *
 * For a user message and a long reply (`--words`, a realistic mix of repeated and new words):
 *   - baseline: JSON.stringify of the parts, what storing them cost before (the JSON column);
 *   - seal: ContentCipher.sealJson (JSON + AES-256-GCM + base64url), what startTurn, each
 *     streaming checkpoint and finish now do;
 *   - open: openJson (history, listings, search candidates);
 *   - index: the blind index (HMAC-SHA256 per distinct word and 3–8-letter prefix), computed
 *     once per message (the user's at start, the reply at finish; never per checkpoint), cold
 *     (a fresh index, every term hashed) and warm (the org's cache of recent terms).
 * Prints µs per operation (median and p95); never fails.
 */
import { randomBytes } from "node:crypto";
import { BlindIndex } from "../lib/privacy/encryption/blind-index";
import { ContentCipher } from "../lib/privacy/encryption/content-cipher";
import { pct } from "./stats";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const ITERATIONS = Number(args.get("iterations") ?? 2000);
const SIZES = (args.get("words") ?? "45,1500").split(",").map(Number);

const contentKey = randomBytes(32);
const indexKey = randomBytes(32);
const cipher = new ContentCipher({ orgId: "org-bench", current: { version: 1, key: contentKey }, byVersion: new Map([[1, contentKey]]), index: indexKey });
const VOCAB = "the quarterly budget marketing launch plan team customer revenue forecast review meeting notes project timeline risk owner decision summary next steps metric units deploy incident".split(" ");

function text(words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(i % 7 === 0 ? `term${i}` : VOCAB[(i * 13) % VOCAB.length]!);
  return out.join(" ") + ".";
}

function time(fn: () => unknown): { median: number; p95: number } {
  for (let i = 0; i < Math.min(200, ITERATIONS); i++) fn();
  const xs: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    xs.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return { median: pct(xs, 50), p95: pct(xs, 95) };
}

const fmt = (r: { median: number; p95: number }) => `${r.median.toFixed(1).padStart(8)} µs  p95 ${r.p95.toFixed(1).padStart(8)} µs`;
console.log(`encryption at rest, ${ITERATIONS} iterations each, Node ${process.version}`);
for (const words of SIZES) {
  const body = text(words);
  const parts = [{ type: "data-trace", id: "plan", data: { specialists: [{ agent: "research" }] } }, { type: "text", text: body }];
  const sealed = cipher.sealJson(parts, "Message.parts:u");
  console.log(`\n${words} words (${Buffer.byteLength(JSON.stringify(parts))} bytes of parts, ${cipher.indexTerms(body).length} index terms)`);
  console.log(`  baseline JSON.stringify  ${fmt(time(() => JSON.stringify(parts)))}`);
  console.log(`  seal (JSON + AES-GCM)    ${fmt(time(() => cipher.sealJson(parts, "Message.parts:u")))}`);
  console.log(`  open                     ${fmt(time(() => cipher.openJson(sealed, "Message.parts:u")))}`);
  console.log(`  blind index, cold        ${fmt(time(() => new BlindIndex(indexKey).terms(body)))}  (every word new to the process)`);
  console.log(`  blind index, warm        ${fmt(time(() => cipher.indexTerms(body)))}  (words seen before: the per-org term cache)`);
}
