import { getPrincipal } from "@/lib/auth/principal";
import { AppError, isAppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/observability/logger";
import type { Principal } from "@/lib/principal";
import { requestIdFrom } from "./request-id";

/**
 * Route handler wrappers: every handler is either `withPrincipal` (signed in, else 401 JSON) or
 * explicitly `publicRoute`. Both turn AppErrors into their JSON response and anything else into
 * a logged 500 that says nothing about internals.
 */
export interface RouteContext<P> {
  params: P;
  requestId: string;
}

type NextCtx = { params: Promise<Record<string, string | string[]>> };

function toErrorResponse(err: unknown, requestId: string): Response {
  if (isAppError(err)) return err.toResponse();
  logger.error({ err, requestId }, "unhandled error in route");
  return new AppError("internal", `Something went wrong on our side (request ${requestId}).`).toResponse();
}

function withRequestId(res: Response, requestId: string): Response {
  try {
    res.headers.set("x-request-id", requestId);
    return res;
  } catch {
    // Some responses (e.g. from fetch) have immutable headers.
    const copy = new Response(res.body, res);
    copy.headers.set("x-request-id", requestId);
    return copy;
  }
}

export function withPrincipal<P extends Record<string, string | string[]> = Record<string, never>>(
  handler: (req: Request, principal: Principal, ctx: RouteContext<P>) => Promise<Response>,
) {
  return async (req: Request, ctx: NextCtx): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    try {
      const principal = await getPrincipal();
      if (!principal) throw AppError.unauthorized("Sign in to continue: no valid session.");
      const params = ((await ctx?.params) ?? {}) as P;
      return withRequestId(await handler(req, principal, { params, requestId }), requestId);
    } catch (err) {
      return withRequestId(toErrorResponse(err, requestId), requestId);
    }
  };
}

export function publicRoute<P extends Record<string, string | string[]> = Record<string, never>>(
  handler: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
) {
  return async (req: Request, ctx: NextCtx): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    try {
      const params = ((await ctx?.params) ?? {}) as P;
      return withRequestId(await handler(req, { params, requestId }), requestId);
    } catch (err) {
      return withRequestId(toErrorResponse(err, requestId), requestId);
    }
  };
}

export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}
