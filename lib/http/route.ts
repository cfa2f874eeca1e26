import { getPrincipal } from "@/lib/auth/principal";
import { AppError, isAppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";
import { ServerTiming } from "@/lib/observability/server-timing";
import { requestIdFrom } from "./request-id";

/**
 * Route handler wrappers: every handler is either `withPrincipal` (signed in, else 401 JSON) or
 * explicitly `publicRoute`. Both turn AppErrors into their JSON response and anything else into
 * a logged 500 that says nothing about internals.
 */
export interface RouteContext<P> {
  params: P;
  requestId: string;
  /** Phases measured so far (auth, …); handlers add theirs and it is sent as Server-Timing. */
  timing: ServerTiming;
}

type NextCtx = { params: Promise<Record<string, string | string[]>> };

function toErrorResponse(err: unknown, requestId: string): Response {
  if (isAppError(err)) return err.toResponse();
  logger.error({ err, requestId }, "unhandled error in route");
  return new AppError("internal", `Something went wrong on our side (request ${requestId}).`).toResponse();
}

function finish(res: Response, requestId: string, timing?: ServerTiming): Response {
  const set = (r: Response) => {
    r.headers.set("x-request-id", requestId);
    const t = timing?.header();
    if (t) r.headers.set("server-timing", t);
    return r;
  };
  try {
    return set(res);
  } catch {
    // Some responses (e.g. from fetch) have immutable headers.
    return set(new Response(res.body, res));
  }
}

export function withPrincipal<P extends Record<string, string | string[]> = Record<string, never>>(
  handler: (req: Request, principal: Principal, ctx: RouteContext<P>) => Promise<Response>,
) {
  return async (req: Request, ctx: NextCtx): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    const timing = new ServerTiming();
    try {
      const principal = await timing.measure("auth", () => getPrincipal());
      if (!principal) throw AppError.unauthorized("Sign in to continue: no valid session.");
      const params = ((await ctx?.params) ?? {}) as P;
      return finish(await handler(req, principal, { params, requestId, timing }), requestId, timing);
    } catch (err) {
      return finish(toErrorResponse(err, requestId), requestId, timing);
    }
  };
}

export function publicRoute<P extends Record<string, string | string[]> = Record<string, never>>(
  handler: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
) {
  return async (req: Request, ctx: NextCtx): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    const timing = new ServerTiming();
    try {
      const params = ((await ctx?.params) ?? {}) as P;
      return finish(await handler(req, { params, requestId, timing }), requestId, timing);
    } catch (err) {
      return finish(toErrorResponse(err, requestId), requestId, timing);
    }
  };
}

export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}
