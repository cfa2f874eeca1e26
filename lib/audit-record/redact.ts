/**
 * What may be written to the audit trail (and logs). Secrets are masked under every policy;
 * "redacted" also masks emails and card numbers; "hashes" keeps no content at all (the event's
 * input/output hashes still prove what was said, to someone who has the text).
 */
export type ContentPolicy = "full" | "redacted" | "hashes";

/**
 * Every pattern here runs in time linear in its input: these see whatever a user or a model
 * wrote (and every log line), so a crafted string must not be able to stall a request. A regex
 * whose match can start anywhere in a long run of its own characters and then fail at the far
 * end of it (`a.a.a.a…` for emails, `eyJ-eyJ-…` for JWTs) is quadratic; such patterns start only
 * where a run starts (a lookbehind), or are searched in code. lib/audit-record/redact.test.ts feeds each
 * one 32 KB of adversarial input.
 */
type SecretPattern = { re: RegExp; replace: string };

const SECRET_PATTERNS: SecretPattern[] = [
  { re: /\benc_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}/g, replace: "[secret]" }, // Enclave API keys
  { re: /\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g, replace: "[secret]" }, // OpenAI-style keys
  { re: /\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/g, replace: "[secret]" }, // GitHub tokens
  { re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: "[secret]" }, // Slack tokens
  { re: /\bAKIA[0-9A-Z]{16}\b/g, replace: "[secret]" }, // AWS access key ids
  { re: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: "[secret]" }, // Google API keys
  // JWTs. If a JWT starting at one `eyJ` of a run of [A-Za-z0-9_-] fails, one starting at a later
  // `eyJ` of the same run fails too (its first segment ends at the same place, only shorter). So
  // the match starts where the run starts, keeps the run's head up to its first `eyJ` ($1), and
  // tries that one only.
  {
    re: /(?<![A-Za-z0-9_-])((?:(?!\beyJ)[A-Za-z0-9_-])*)\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
    replace: "$1[secret]",
  },
];

// PEM private keys, from a BEGIN line to the first END line after it. Searched in code: as one
// lazy regex, every BEGIN without an END would scan to the end of the text again.
const PEM_BEGIN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/g;
const PEM_END = /-----END [A-Z ]*PRIVATE KEY-----/g;

function maskPrivateKeys(text: string): string {
  if (!text.includes("PRIVATE KEY-----")) return text;
  let out = "";
  let from = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let begin = PEM_BEGIN.exec(text); begin; begin = PEM_BEGIN.exec(text)) {
    PEM_END.lastIndex = begin.index + begin[0].length;
    const end = PEM_END.exec(text);
    // No END after this BEGIN: none after any later BEGIN either.
    if (!end) break;
    out += `${text.slice(from, begin.index)}[secret]`;
    from = PEM_BEGIN.lastIndex = end.index + end[0].length;
  }
  return from === 0 ? text : out + text.slice(from);
}

// "Authorization: Bearer x", "password=hunter2", "api_key: x", "token": "x" …
const LABELLED_SECRET =
  /\b(authorization|bearer|password|passwd|pwd|secret|api[_-]?key|access[_-]?token|refresh[_-]?token|token|client[_-]?secret)\b(["']?\s*[:=]\s*["']?|\s+)(?:bearer\s+)?([^\s"',;]{4,})/gi;

// An email's local part may hold `.`, `-`, `+`…, so `\b` would let a match start at every dot of
// `a.a.a.a…` and scan to the end each time. The lookbehind starts it only where a run of
// local-part characters starts (whether that run is an email does not depend on where in it one
// starts: the local part must reach the `@`). The run's leading punctuation is masked with it.
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
const CARD_CANDIDATE = /\b(?:\d[ -]?){12,18}\d\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const { re, replace } of SECRET_PATTERNS) out = out.replace(re, replace);
  out = maskPrivateKeys(out);
  return out.replace(LABELLED_SECRET, (_m, label: string, sep: string) => `${label}${sep}[secret]`);
}

export function redactPersonalData(text: string): string {
  return text.replace(EMAIL, "[email]").replace(CARD_CANDIDATE, (m) => {
    const digits = m.replace(/\D/g, "");
    return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? "[card]" : m;
  });
}

/** The content to store for a piece of text under a policy (undefined: store none). */
export function contentFor(policy: ContentPolicy, text: string | null | undefined): string | undefined {
  if (text == null || policy === "hashes") return undefined;
  const safe = maskSecrets(text);
  const limited = policy === "redacted" ? redactPersonalData(safe) : safe;
  return limited.length > 20_000 ? `${limited.slice(0, 20_000)}… [truncated]` : limited;
}

/** Masks secrets in every string of a structured value (for event data and log fields). */
export function maskSecretsDeep<T>(value: T): T {
  if (typeof value === "string") return maskSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskSecretsDeep(v)) as T;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecretsDeep(v)])) as T;
  }
  return value;
}
