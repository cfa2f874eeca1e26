import { z } from "zod";
import { ModelPriceDefaultEnv, ModelPricesEnv } from "@/lib/usage/price-table";

// Environment is a boundary like any other: parse it once, fail with a message naming the
// variable, and let the rest of the code read typed values.
/** How the server writes its log; lib/observability/logger.ts picks one when LOG_FORMAT is unset. */
export const LOG_FORMATS = ["json", "pretty"] as const;

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

/** A rate, token or concurrency limit: a whole number from 1 to 10^9. */
const limit = z.coerce
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be at least 1 (leave it unset for no limit)")
  .max(1_000_000_000, "must be at most 1000000000");

/** A DNS name with at least two labels (`acme.com`, `eu.acme.co.uk`), lowercase. */
export const DOMAIN_NAME = /^(?=.{3,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * ENCLAVE_ORG_DOMAINS: `acme=acme.com,acme.co.uk;globex=globex.com`, org slug → the email
 * domains the operator vouches for (verified without DNS). A domain belongs to one org only.
 */
const OrgDomains = z.string().transform((raw, ctx) => {
  const out: Record<string, string[]> = {};
  const owner = new Map<string, string>();
  for (const entry of raw.split(";").map((x) => x.trim()).filter(Boolean)) {
    const [slug = "", list = ""] = entry.split("=").map((x) => x.trim());
    const domains = list.split(",").map((d) => d.trim().toLowerCase()).filter(Boolean);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(slug) || domains.length === 0) {
      ctx.addIssue({ code: "custom", message: `"${entry}" is not slug=domain,domain (e.g. acme=acme.com,acme.co.uk)` });
      return z.NEVER;
    }
    for (const d of domains) {
      if (!DOMAIN_NAME.test(d)) ctx.addIssue({ code: "custom", message: `"${d}" is not a domain name like example.com` });
      else if (owner.has(d) && owner.get(d) !== slug) ctx.addIssue({ code: "custom", message: `${d} is given to both ${owner.get(d)} and ${slug}` });
      owner.set(d, slug);
    }
    out[slug] = [...new Set([...(out[slug] ?? []), ...domains])];
  }
  return out;
});

/** A master key: 32 random bytes in base64 (or base64url), e.g. from `openssl rand -base64 32`. */
const MasterKey = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/_-]{43}=?$/.test(v) && Buffer.from(v, v.includes("-") || v.includes("_") ? "base64url" : "base64").length === 32, {
    message: "must be 32 random bytes in base64: 44 characters, e.g. from `openssl rand -base64 32`",
  });

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  ENCLAVE_DATA_DIR: z.string().min(1).default(".data"),
  REDIS_URL: z.string().optional(),

  AUTH_SECRET: z.string().min(16).optional(),
  // Envelope encryption at rest (lib/privacy/encryption): wraps each org's data keys. Unset in
  // embedded mode: generated into the data dir, with a warning. _PREVIOUS is still accepted
  // while `npm run keys:rotate` re-wraps the org keys under the new one.
  ENCLAVE_MASTER_KEY: MasterKey.optional(),
  ENCLAVE_MASTER_KEY_PREVIOUS: MasterKey.optional(),
  AUTH_URL: z.url().optional(),
  SESSION_MAX_AGE_HOURS: z.coerce.number().int().positive().default(12),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().min(1).default("SSO"),
  // Add "groups" (or your IdP's scope for it) when using SSO group → role/team mappings.
  OIDC_SCOPES: z.string().min(1).default("openid email profile"),
  OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
  // Only for an IdP that itself guarantees every email it issues but sends no `email_verified`
  // claim: a missing claim then counts as verified (an explicit `false` never does). README: risk.
  OIDC_TRUST_EMAIL: bool.default(false),
  ENCLAVE_DEV_LOGIN: bool.optional(),
  ENCLAVE_ORG_DOMAINS: OrgDomains.optional(),
  // The only way to keep ENCLAVE_DEV_LOGIN=true in production with SSO configured (see below).
  ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION: bool.default(false),

  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  MODEL_SMALL: z.string().min(1).optional(),
  MODEL_LARGE: z.string().min(1).optional(),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  // The gateway (lib/models): where models run (a JSON array or the path to a JSON file; the
  // README has the fields), how long an attempt may wait for its first token, and how calls
  // are spread, queued and cached.
  MODEL_DEPLOYMENTS: z.string().min(1).optional(),
  MODEL_FIRST_TOKEN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  MODEL_ROUTING: z.enum(["weighted", "least-busy"]).default("weighted"),
  MODEL_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
  MODEL_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  MODEL_QUEUE_MAX_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  // How many processes share each deployment's maxConcurrency (each holds its share); default:
  // WEB_CONCURRENCY on PostgreSQL, else 1.
  MODEL_INSTANCE_COUNT: z.coerce.number().int().min(1).max(10_000).optional(),
  MODEL_CACHE_TIERS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((x) => x.trim()).filter((x): x is "small" | "large" => x === "small" || x === "large")),
  MODEL_CACHE_TTL_S: z.coerce.number().int().min(1).max(30 * 86_400).default(3_600),
  // A client whose unread backlog stays full this long (it reads too slowly, or not at all) is
  // dropped and the reply is stored as interrupted: server memory never grows for a stuck reader.
  STREAM_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  // A streaming reply's text is saved this often, so a process that dies mid-reply loses little.
  STREAM_CHECKPOINT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  // Each server process beats this often; one silent for 4 beats is gone, and its streaming
  // replies are closed as interrupted by the others (or by itself after a restart).
  INSTANCE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // Text deltas after a reply's first that arrive within this window go out as one (0: never merge).
  STREAM_COALESCE_MS: z.coerce.number().int().min(0).max(200).default(20),
  OFFLINE_MODEL_DELAY_MS: z.coerce.number().int().min(0).max(5_000).default(15),
  // Built-in tools offered to the model in chat; "none" for models that cannot call tools.
  CHAT_TOOLS: z
    .string()
    .default("calculator,clock")
    .transform((v) => (v.trim() === "none" ? [] : v.split(",").map((x) => x.trim()).filter(Boolean))),

  // Audit chain: checkpoint signing (HMAC key, or an Ed25519 private key in PEM) and cadence.
  AUDIT_SIGNING_KEY: z.string().min(16).optional(),
  AUDIT_SIGNING_PRIVATE_KEY: z.string().min(40).optional(),
  // Its public half (PEM), checked against the private key at start-up: `npm run audit:keygen`.
  AUDIT_SIGNING_PUBLIC_KEY: z.string().min(40).optional(),
  AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number().int().min(1).default(60),
  /** How often each instance runs the retention purge (orgs with a retention period only); 0 turns the schedule off. */
  RETENTION_PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  // Refuse to start on PostgreSQL when the role Enclave connects as could drop the audit
  // triggers (it owns the audit table, or is a superuser); otherwise that is only a warning.
  AUDIT_STRICT: bool.default(false),
  METRICS_TOKEN: z.string().min(8).optional(),

  MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(32 * 1024),
  HISTORY_MESSAGE_LIMIT: z.coerce.number().int().positive().default(100),
  // Admission defaults (lib/limits); unset = no limit. Per role, team and user overrides live in
  // the database (/admin/limits). Over 10^9 is a typo, not a limit.
  RATE_LIMIT_USER_RPM: limit.optional(),
  RATE_LIMIT_USER_TPM: limit.optional(),
  RATE_LIMIT_ORG_RPM: limit.optional(),
  RATE_LIMIT_ORG_TPM: limit.optional(),
  USER_MAX_CONCURRENT_TURNS: limit.default(3),
  // Metering (lib/usage): model id → { inputPerMTok, outputPerMTok } in USD, over built-in
  // defaults; a model with none is counted at MODEL_PRICE_DEFAULT and flagged. A malformed entry
  // stops start-up naming the model and the field.
  MODEL_PRICES: ModelPricesEnv.optional(),
  MODEL_PRICE_DEFAULT: ModelPriceDefaultEnv.optional(),
  // Budgets (lib/usage/budgets): everyone's monthly spend limit unless they have their own.
  BUDGET_USER_MONTHLY_USD: z.coerce
    .number({ error: "must be a number of US dollars" })
    .min(0.01, "must be at least 0.01 (leave it unset for no default budget)")
    .max(1_000_000_000, "must be at most 1000000000")
    .optional(),
  BUDGET_SOFT_PERCENT: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1).max(100).default(80),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  // Unset: readable lines on a terminal, JSON lines otherwise (for log shippers).
  LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
});

/**
 * Dev sign-in signs anyone in as any user without a password. A production server with SSO is
 * a real deployment, so ENCLAVE_DEV_LOGIN=true there stops the start-up unless the operator also
 * says, in a second variable, that this is meant.
 */
const CheckedEnvSchema = EnvSchema.superRefine((e, ctx) => {
  const oidc = Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
  if (e.NODE_ENV === "production" && oidc && e.ENCLAVE_DEV_LOGIN === true && !e.ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION) {
    ctx.addIssue({
      code: "custom",
      path: ["ENCLAVE_DEV_LOGIN"],
      message:
        "dev sign-in (anyone signs in as any user, no password) is refused in production with SSO configured. " +
        "Remove ENCLAVE_DEV_LOGIN=true, or also set ENCLAVE_ALLOW_DEV_LOGIN_IN_PRODUCTION=true if this server really must offer it",
    });
  }
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** Parses process.env once. Empty strings count as unset, as they do in most deploy tools. */
export function env(): Env {
  return (cached ??= parseEnv(process.env));
}

/** The configuration these variables describe; throws naming each bad variable. */
export function parseEnv(vars: Record<string, string | undefined>): Env {
  const raw = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = CheckedEnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Tests change process.env between cases; they call this to re-read it. */
export function resetEnvCache(): void {
  cached = undefined;
}

export function isOidcConfigured(e: Env = env()): boolean {
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}

/**
 * Dev sign-in lets anyone pick any seeded user, so it is on only where that is harmless by
 * default: the embedded database with no SSO. ENCLAVE_DEV_LOGIN overrides either way.
 */
export function isDevLoginEnabled(e: Env = env()): boolean {
  if (e.ENCLAVE_DEV_LOGIN !== undefined) return e.ENCLAVE_DEV_LOGIN;
  return !isOidcConfigured(e) && !e.DATABASE_URL;
}
