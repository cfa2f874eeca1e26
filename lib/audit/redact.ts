/**
 * What may be written to the audit trail (and logs). Secrets are masked under every policy;
 * "redacted" also masks emails and card numbers; "hashes" keeps no content at all (the event's
 * input/output hashes still prove what was said, to someone who has the text).
 */
export type ContentPolicy = "full" | "redacted" | "hashes";

const SECRET_PATTERNS: RegExp[] = [
  /\benc_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}/g, // Enclave API keys
  /\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g, // OpenAI-style keys
  /\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/g, // GitHub tokens
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

// "Authorization: Bearer x", "password=hunter2", "api_key: x", "token": "x" …
const LABELLED_SECRET =
  /\b(authorization|bearer|password|passwd|pwd|secret|api[_-]?key|access[_-]?token|refresh[_-]?token|token|client[_-]?secret)\b(["']?\s*[:=]\s*["']?|\s+)(?:bearer\s+)?([^\s"',;]{4,})/gi;

const EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
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
  for (const re of SECRET_PATTERNS) out = out.replace(re, "[secret]");
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
