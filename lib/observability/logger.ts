import pino from "pino";
import { isColorSupported, prettyFactory } from "pino-pretty";
import { maskSecrets } from "@/lib/audit-record/redact";
import { LOG_FORMATS } from "@/lib/config/env";
import { currentRequestContext } from "./context";

/**
 * The structured log: JSON lines for log shippers, or readable lines on a terminal (see
 * `logFormat`). Two rules hold for every line, in both formats:
 *
 * - It says which request it was written for: inside a request (lib/http/route.ts enters the
 *   context) the requestId, and once known the userId and orgId, are added by a mixin. Fields
 *   passed explicitly win (chat-turn steps carry their own).
 * - Secrets never reach it, whatever shape the object logged has: fields named like a secret
 *   (password, token, apiKey, authorization, cookie, …) are censored at any depth, every string
 *   (field values, error messages and stacks, the message itself) has API keys, bearer tokens,
 *   `password=…` and the like masked, and pino's own redact paths stay as a second net.
 */
const CENSOR = "[redacted]";

const REDACT = [
  "password",
  "secret",
  "token",
  "apiKey",
  "authorization",
  "cookie",
  "*.password",
  "*.secret",
  "*.token",
  "*.apiKey",
  "*.authorization",
  "*.cookie",
  "*.*.password",
  "*.*.secret",
  "*.*.token",
  "*.*.apiKey",
  "*.*.authorization",
  "*.*.cookie",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  'headers["x-api-key"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  '*.headers["x-api-key"]',
];

// A field whose (normalized) name ends like one of these holds a secret, whatever its value.
// "inputTokens"/"maxTokens" are counts, not tokens: they end in "tokens" and are kept.
const SECRET_KEY_ENDINGS = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "authorization",
  "cookie",
  "privatekey",
  "signingkey",
  "credential",
  "credentials",
];

// Error properties that carry what a user wrote (the AI SDK attaches the whole request body).
const OMITTED_ERROR_FIELDS = new Set(["requestBodyValues"]);
const MAX_DEPTH = 12;

const COOKIE_TEXT = /\b((?:set-)?cookie)(\s*[:=]\s*)[^\r\n]+/gi;
const BASIC_AUTH = /\b(basic)\s+[A-Za-z0-9+/=._~-]{8,}/gi;

/** Masks secrets in free text written to the log (messages, error messages, string fields). */
export function maskLogText(text: string): string {
  return maskSecrets(text).replace(COOKIE_TEXT, "$1$2[secret]").replace(BASIC_AUTH, "$1 [secret]");
}

export function isSecretFieldName(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return SECRET_KEY_ENDINGS.some((s) => k.endsWith(s));
}

/**
 * A copy of `value` safe to log: secret-named fields censored, strings masked, errors serialized
 * (type, message, stack, own fields) and masked, cycles and runaway depth cut.
 */
export function sanitizeLogValue(
  value: unknown,
  depth = 0,
  ancestors: WeakSet<object> = new WeakSet(),
): unknown {
  if (typeof value === "string") return maskLogText(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary, ${value.byteLength} bytes]`;
  if (ancestors.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[too deep]";
  ancestors.add(value);
  try {
    if (value instanceof Error) {
      const serialized = pino.stdSerializers.err(value) as unknown as Record<string, unknown>;
      const fields = Object.entries(serialized).filter(([k]) => !OMITTED_ERROR_FIELDS.has(k));
      return sanitizeEntries(fields, depth, ancestors);
    }
    if (Array.isArray(value)) return value.map((v) => sanitizeLogValue(v, depth + 1, ancestors));
    if (value instanceof Headers || value instanceof Map)
      return sanitizeEntries(value.entries(), depth, ancestors);
    if (value instanceof Set) return [...value].map((v) => sanitizeLogValue(v, depth + 1, ancestors));
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return sanitizeLogValue(toJSON.call(value), depth + 1, ancestors);
    return sanitizeEntries(Object.entries(value), depth, ancestors);
  } catch {
    return "[unserializable]";
  } finally {
    ancestors.delete(value);
  }
}

function sanitizeEntries(
  entries: Iterable<[unknown, unknown]>,
  depth: number,
  ancestors: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const key = String(k);
    out[key] =
      isSecretFieldName(key) && v != null && typeof v !== "boolean"
        ? CENSOR
        : sanitizeLogValue(v, depth + 1, ancestors);
  }
  return out;
}

export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * `LOG_FORMAT` when set (lib/config/env.ts validates it at start-up); otherwise readable lines
 * when stdout is a terminal (`npm start` by hand) and JSON lines when it is not (a container, a
 * pipe, a log shipper).
 */
export function logFormat(
  value: string | undefined = process.env.LOG_FORMAT,
  isTTY: boolean = Boolean(process.stdout.isTTY),
): LogFormat {
  const set = LOG_FORMATS.find((f) => f === value);
  return set ?? (isTTY ? "pretty" : "json");
}

/**
 * A destination that writes each line readably ("[12:03:04.567] INFO: message", its fields
 * below it) to `out`, stdout by default. pino-pretty runs synchronously in the writing thread,
 * not as a worker-thread transport: inside Next's server a worker would have to be resolved
 * from the bundle, and lines still queued for it are lost when the process dies. It formats
 * what pino serialized, so every line is already masked and censored.
 */
export function prettyDestination(
  out: { write(line: string): unknown } = pino.destination({ dest: 1, sync: true }),
  colorize: boolean = isColorSupported,
): pino.DestinationStream {
  const format = prettyFactory({
    colorize,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
  });
  return { write: (line: string) => void out.write(format(line)) };
}

function defaultLevel(): string {
  const l = process.env.LOG_LEVEL;
  if (l) return l;
  return process.env.NODE_ENV === "test" || process.env.VITEST ? "silent" : "info";
}

/**
 * A logger with Enclave's rules, writing to `destination` (by default stdout, in the
 * `logFormat()`). The app uses the `logger` singleton; tests make their own to read what was
 * written.
 */
export function createLogger(
  destination?: pino.DestinationStream,
  level: string = defaultLevel(),
): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "enclave" },
    redact: { paths: REDACT, censor: CENSOR },
    timestamp: pino.stdTimeFunctions.isoTime,
    // formatters.log has already serialized (and masked) errors, at any depth.
    serializers: { err: (v: unknown) => v },
    mixin() {
      const ctx = currentRequestContext();
      if (!ctx) return {};
      return {
        requestId: ctx.requestId,
        ...(ctx.clientRequestId ? { clientRequestId: ctx.clientRequestId } : {}),
        ...(ctx.userId ? { userId: ctx.userId } : {}),
        ...(ctx.orgId ? { orgId: ctx.orgId } : {}),
      };
    },
    formatters: {
      log: (object) => sanitizeLogValue(object) as Record<string, unknown>,
      bindings: (bindings) => sanitizeLogValue(bindings) as Record<string, unknown>,
    },
    hooks: {
      // The message and its interpolation arguments never pass through formatters.log.
      logMethod(args, method) {
        const a: unknown[] = [...args];
        const first = a[0];
        if (first instanceof Error) {
          // pino would take the error's raw message as the line's message.
          a[0] = { err: first };
          if (typeof a[1] !== "string") a.splice(1, a[1] === undefined ? 1 : 0, first.message);
        } else if (first && typeof first === "object" && a[1] === undefined) {
          const o = first as { msg?: unknown; err?: { message?: unknown } };
          if (o.msg === undefined && o.err && typeof o.err.message === "string") a[1] = o.err.message;
        }
        for (let i = 0; i < a.length; i++) {
          const v = a[i];
          if (typeof v === "string") a[i] = maskLogText(v);
          else if (i > 0 && v && typeof v === "object") a[i] = sanitizeLogValue(v);
        }
        return (method as (...xs: unknown[]) => void).apply(this, a);
      },
    },
  };
  if (destination) return pino(options, destination);
  return logFormat() === "pretty" ? pino(options, prettyDestination()) : pino(options);
}

const holder = globalThis as typeof globalThis & { __enclaveLogger?: pino.Logger };

export const logger: pino.Logger = (holder.__enclaveLogger ??= createLogger());
