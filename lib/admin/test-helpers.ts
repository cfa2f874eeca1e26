import { expect } from "vitest";
import { isAppError, type AppError } from "@/lib/errors/app-error";

/** Awaits a call that must fail with an AppError of this code (and message); returns the error. */
export async function expectAppError(
  promise: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "expected the call to fail").not.toBeNull();
  if (!isAppError(err)) throw err;
  expect(err.code, err.message).toBe(code);
  if (message) expect(err.message).toMatch(message);
  return err;
}
