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
