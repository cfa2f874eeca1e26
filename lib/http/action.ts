import type { z } from "zod";
import { getPrincipal } from "@/lib/auth/principal";

import { AppError, isAppError, type ErrorBody } from "@/lib/errors/app-error";
import { runWithRequestContext, setRequestPrincipal } from "@/lib/observability/context";
import type { Principal } from "@/lib/principal";
import { newRequestId } from "./request-id";
import { enforce, type Access, type Requirement } from "./route";

/**
 * The one way to write a server action: its input is validated with zod and its permission
 * checked before the body runs. The result is a value (never a thrown 500) so forms can show
 * what went wrong; Next's own control flow (redirect, notFound) passes through.
 *
 * Like a route handler, each call gets a request id minted by the server: the body runs inside
 * its request context (every log line says which request, and whose) and receives it to put on
 * the audit events it writes. (Next itself refuses a server action whose Origin is not the host.)
 */
export type ActionResult<T> = { ok: true; data: T } | ({ ok: false } & ErrorBody);

type Input = FormData | Record<string, unknown> | null | undefined;

function toObject(input: Input): unknown {
  if (input instanceof FormData) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of input.entries()) {
      if (k.startsWith("$ACTION")) continue; // React's own form bookkeeping
      out[k] = typeof v === "string" ? v : undefined;
    }
    return out;
  }
  return input ?? {};
}

function failure(e: AppError): ActionResult<never> {
  return { ok: false, ...e.toBody() };
}

/**
 * Callable as a form action (`action(formData)`), with useActionState (`action(prev, formData)`)
 * or directly from client code (`action(null, {...})`).
 */
export type ServerAction<T> = ((...args: [Input] | [unknown, Input]) => Promise<ActionResult<T>>) & { readonly access: Access };

export interface ActionContext {
  requestId: string;
}

export function action<S extends z.ZodType, T>(
  opts: { permission: Requirement; input: S },
  body: (principal: Principal, input: z.infer<S>, ctx: ActionContext) => Promise<T>,
): ServerAction<T> {
  const fn = async (...args: [Input] | [unknown, Input]): Promise<ActionResult<T>> => {
    const input = (args.length >= 2 ? args[1] : args[0]) as Input;
    const requestId = newRequestId();
    return runWithRequestContext({ requestId }, async () => {
      try {
        const principal = await getPrincipal();
        if (!principal) throw AppError.unauthorized("Your session has ended. Sign in again.");
        setRequestPrincipal(principal);
        enforce(principal, opts.permission);
        const parsed = opts.input.safeParse(toObject(input));
        if (!parsed.success) throw AppError.fromZod(parsed.error);
        return { ok: true, data: await body(principal, parsed.data, { requestId }) };
      } catch (e) {
        if (isAppError(e)) return failure(e);
        throw e;
      }
    });
  };
  return Object.assign(fn, { access: { kind: "permission", permission: opts.permission, reveal: false } as const });
}

/** For the few actions that run before anyone is signed in (sign-in itself). */
export function publicAction<S extends z.ZodType>(
  opts: { input: S; reason: string },
  body: (input: z.infer<S>) => Promise<void>,
): ((input: FormData) => Promise<void>) & { readonly access: Access } {
  const fn = async (input: FormData): Promise<void> =>
    runWithRequestContext({ requestId: newRequestId() }, async () => {
      const parsed = opts.input.safeParse(toObject(input));
      if (!parsed.success) throw AppError.fromZod(parsed.error);
      await body(parsed.data);
    });
  return Object.assign(fn, { access: { kind: "public", reason: opts.reason } as const });
}
