import { AppError } from "@/lib/errors/app-error";

/** Prisma's known request errors carry a code; we match on it without importing runtime classes. */
export function prismaErrorCode(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string") {
    const code = (e as { code: string }).code;
    return /^P\d{4}$/.test(code) ? code : undefined;
  }
  return undefined;
}

/** Also recognises a unique violation inside a raw query (P2010 carrying SQLSTATE 23505). */
export function isUniqueViolation(e: unknown): boolean {
  const code = prismaErrorCode(e);
  if (code === "P2002") return true;
  if (code !== "P2010") return false;
  const meta = (e as { meta?: { code?: unknown; driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } }).meta;
  const cause = meta?.driverAdapterError?.cause;
  return meta?.code === "23505" || cause?.kind === "UniqueConstraintViolation" || cause?.originalCode === "23505";
}

// ─── The database is unavailable ────────────────────────────────────────────────────────────────

/** Prisma's codes for "could not reach / lost the server / no connection to be had". */
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
/** SQLSTATE: connection exceptions (08…), admin shutdown / crash / cannot connect now (57P01-03), too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;
/** What the driver adapters report (driverAdapterError.cause.kind). */
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
const UNAVAILABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection (?:was )?closed|Can't reach database server|server closed the connection|terminating connection due to administrator command|the database system is (?:shutting down|starting up|in recovery mode)|PGlite is closed|Client has encountered a connection error/i;

/**
 * True when the error means the database could not be reached or dropped the connection (as
 * opposed to refusing the statement): worth a 503 and a retry later. Looks through Prisma's
 * wrapping (code, meta, driverAdapterError) and the cause chain.
 */
export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (depth > 5 || typeof e !== "object" || e === null) return false;
  const x = e as {
    code?: unknown;
    kind?: unknown;
    originalCode?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: unknown } };
  };
  const codes = [x.code, x.originalCode, x.meta?.code].filter((c): c is string => typeof c === "string");
  if (codes.some((c) => UNAVAILABLE_PRISMA.has(c) || UNAVAILABLE_SQLSTATE.test(c) || UNAVAILABLE_ERRNO.has(c))) return true;
  if (typeof x.kind === "string" && UNAVAILABLE_KINDS.has(x.kind)) return true;
  if (typeof x.message === "string" && UNAVAILABLE_MESSAGE.test(x.message)) return true;
  if (x.meta?.driverAdapterError?.cause && isDatabaseUnavailable(x.meta.driverAdapterError.cause, depth + 1)) return true;
  if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(x.cause, depth + 1);
}

/** Seconds a client is asked to wait before retrying when the database is unavailable. */
export const DATABASE_RETRY_AFTER_S = 5;

/** The 503 for an unavailable database, or undefined if the error is something else. */
export function databaseUnavailableError(e: unknown): AppError | undefined {
  if (!isDatabaseUnavailable(e)) return undefined;
  return new AppError("unavailable", "The database is unavailable right now, so this request could not be completed. Retry in a few seconds.", {
    retryAfterSeconds: DATABASE_RETRY_AFTER_S,
    reason: "database_unavailable",
    cause: e,
  });
}
