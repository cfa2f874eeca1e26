/** Prisma's known request errors carry a code; we match on it without importing runtime classes. */
export function prismaErrorCode(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string") {
    const code = (e as { code: string }).code;
    return /^P\d{4}$/.test(code) ? code : undefined;
  }
  return undefined;
}

export const isUniqueViolation = (e: unknown) => prismaErrorCode(e) === "P2002";
export const isForeignKeyViolation = (e: unknown) => prismaErrorCode(e) === "P2003";
export const isRecordNotFound = (e: unknown) => prismaErrorCode(e) === "P2025";
