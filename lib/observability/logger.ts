import pino from "pino";

// Secrets must never reach the logs, whatever shape the object logged has.
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
  "headers.authorization",
  "headers.cookie",
];

const holder = globalThis as typeof globalThis & { __enclaveLogger?: pino.Logger };

function level(): string {
  const l = process.env.LOG_LEVEL;
  if (l) return l;
  return process.env.NODE_ENV === "test" || process.env.VITEST ? "silent" : "info";
}

export const logger: pino.Logger = (holder.__enclaveLogger ??= pino({
  level: level(),
  base: { service: "enclave" },
  redact: { paths: REDACT, censor: "[redacted]" },
  timestamp: pino.stdTimeFunctions.isoTime,
}));
