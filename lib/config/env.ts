import { z } from "zod";

// Environment is a boundary like any other: parse it once, fail with a message naming the
// variable, and let the rest of the code read typed values.
/** How the server writes its log; lib/observability/logger.ts picks one when LOG_FORMAT is unset. */
export const LOG_FORMATS = ["json", "pretty"] as const;

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  ENCLAVE_DATA_DIR: z.string().min(1).default(".data"),
  REDIS_URL: z.string().optional(),

  AUTH_SECRET: z.string().min(16).optional(),
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

  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  MODEL_SMALL: z.string().min(1).optional(),
  MODEL_LARGE: z.string().min(1).optional(),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
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
  // Refuse to start on PostgreSQL when the role Enclave connects as could drop the audit
  // triggers (it owns the audit table, or is a superuser); otherwise that is only a warning.
  AUDIT_STRICT: bool.default(false),
  METRICS_TOKEN: z.string().min(8).optional(),

  MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(32 * 1024),
  HISTORY_MESSAGE_LIMIT: z.coerce.number().int().positive().default(100),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  // Unset: readable lines on a terminal, JSON lines otherwise (for log shippers).
  LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** Parses process.env once. Empty strings count as unset, as they do in most deploy tools. */
export function env(): Env {
  if (cached) return cached;
  const raw = Object.fromEntries(
    Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
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
