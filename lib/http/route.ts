import { credentialsOf, resolvePrincipal } from "@/lib/auth/principal";
import { authorize, type Permission } from "@/lib/authz";
import { env } from "@/lib/config/env";
import { AppError, isAppError } from "@/lib/errors/app-error";
import { databaseUnavailableError } from "@/lib/db/prisma-errors";
import { runWithRequestContext, setRequestPrincipal } from "@/lib/observability/context";
import { logger } from "@/lib/observability/logger";
import { httpRequestDuration, routeTemplate } from "@/lib/observability/metrics";
import type { Principal } from "@/lib/principal";
import { ServerTiming } from "@/lib/observability/server-timing";
import { clientRequestIdFrom, newRequestId } from "./request-id";
import { crossSiteRefusal, originOf } from "./same-origin";

/**
 * Route handler wrappers. Every handler is either `withPrincipal(handler, { permission })` —
 * signed in (session cookie or API key), else 401; holding the permission, else 404 (403 with
 * `reveal`) — or explicitly `publicRoute(handler, { reason })`. The declaration is attached to
 * the handler (`access`) so a test can prove no route forgot one. Both wrappers turn AppErrors
 * into their JSON response and anything else into a logged 500 that says nothing of internals.
 *
 * A request signed in by its session cookie that would change something (not GET, HEAD or
 * OPTIONS) and says it comes from another origin is refused (403 csrf_refused) before anything
 * else runs. A request with an API key cannot be forged by another site and is not checked.
 */
/** A permission, any one of several, or just being signed in. */
export type Requirement = Permission | readonly Permission[] | "signed-in";

export type Access = { kind: "permission"; permission: Requirement; reveal: boolean } | { kind: "public"; reason: string };

/** Throws (404, or 403 with `reveal`) unless the principal meets the requirement. */
export function enforce(p: Principal, req: Requirement, opts: { reveal?: boolean } = {}): void {
  if (req === "signed-in") return;
  const any = typeof req === "string" ? [req] : req;
  const held = any.find((perm) => p.permissions.has(perm));
  authorize(p, held ?? any[0]!, undefined, opts);
}

/** Error bodies in Enclave's shape, or in OpenAI's (for the /api/v1 compatibility surface). */
export type ErrorFormat = "enclave" | "openai";
export interface RouteContext<P> {
  params: P;
  /** Minted by the server for this request; the caller's x-request-id is `clientRequestId`. */
  requestId: string;
  clientRequestId?: string;
  /** Phases measured so far (auth, …); handlers add theirs and it is sent as Server-Timing. */
  timing: ServerTiming;
}

type NextCtx = { params: Promise<Record<string, string | string[]>> };

function toErrorResponse(err: unknown, requestId: string, format: ErrorFormat = "enclave"): Response {
  let e: AppError;
  const unavailable = isAppError(err) ? undefined : databaseUnavailableError(err);
  if (isAppError(err)) {
    e = err;
  } else if (unavailable) {
    logger.warn({ err, requestId }, "the database is unavailable");
    e = unavailable;
  } else {
    logger.error({ err, requestId }, "unhandled error in route");
    e = new AppError("internal", `Something went wrong on our side (request ${requestId}).`);
  }
  return format === "openai" ? e.toOpenAIResponse() : e.toResponse();
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

/**
 * Runs a wrapped handler inside its request context (so every log line it writes carries the
 * request id, and the user once known) and records its duration under the route's template.
 */
async function observed(
  req: Request,
  ctx: NextCtx,
  ids: { requestId: string; clientRequestId?: string },
  run: () => Promise<Response>,
): Promise<Response> {
  const started = performance.now();
  let status = 500;
  try {
    const res = await runWithRequestContext(ids, run);
    status = res.status;
    return res;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    try {
      const params = await ctx?.params;
      httpRequestDuration.observe(
        {
          route: routeTemplate(new URL(req.url).pathname, params),
          method: req.method,
          status: String(status),
        },
        seconds,
      );
    } catch (err) {
      logger.warn({ err }, "could not record the request's duration");
    }
  }
}

export interface RouteOptions {
  /** A permission, any of a list, or "signed-in": any authenticated principal (e.g. "who am I"). */
  permission: Requirement;
  /** Answer 403 rather than 404 when the permission is missing (where existence is no secret). */
  reveal?: boolean;
  errors?: ErrorFormat;
}

type Handler = ((req: Request, ctx: NextCtx) => Promise<Response>) & { readonly access: Access };

const UNAUTHORIZED: Record<string, string> = {
  none: "Sign in to continue: no session or API key was sent.",
  invalid_session: "Your session has ended. Sign in again.",
  invalid_api_key: "Incorrect, revoked or expired API key.",
};

/** Throws csrf_refused for a cookie-authenticated, state-changing request from another origin. */
function refuseCrossSite(req: Request, cookieAuthenticated: boolean): void {
  if (!cookieAuthenticated) return;
  const appOrigin = originOf(env().AUTH_URL);
  const why = crossSiteRefusal(req, appOrigin);
  if (!why) return;
  logger.warn({ component: "http", method: req.method, path: new URL(req.url).pathname, why }, "cross-site request refused");
  throw new AppError(
    "csrf_refused",
    `This request came from another site (${why}), so it was refused. Send it from Enclave itself, or with an API key.` +
      (appOrigin ? "" : " (If this is Enclave's own page behind a proxy, set AUTH_URL to the address people use.)"),
  );
}

export function withPrincipal<P extends Record<string, string | string[]> = Record<string, never>>(
  handler: (req: Request, principal: Principal, ctx: RouteContext<P>) => Promise<Response>,
  opts: RouteOptions,
): Handler {
  const fn = async (req: Request, ctx: NextCtx): Promise<Response> => {
    const requestId = newRequestId();
    const clientRequestId = clientRequestIdFrom(req.headers);
    return observed(req, ctx, { requestId, clientRequestId }, async () => {
      const timing = new ServerTiming();
      try {
        const credentials = credentialsOf(req);
        // An Authorization header, whatever it holds, is the credential: the cookie is then not read.
        refuseCrossSite(req, !credentials.authorization?.trim());
        const resolved = await timing.measure("auth", () => resolvePrincipal(credentials));
        if (!resolved.ok)
          throw new AppError("unauthorized", UNAUTHORIZED[resolved.reason]!, { reason: resolved.reason });
        setRequestPrincipal(resolved.principal);
        enforce(resolved.principal, opts.permission, { reveal: opts.reveal });
        const params = ((await ctx?.params) ?? {}) as P;
        return finish(
          await handler(req, resolved.principal, { params, requestId, clientRequestId, timing }),
          requestId,
          timing,
        );
      } catch (err) {
        return finish(toErrorResponse(err, requestId, opts.errors), requestId, timing);
      }
    });
  };
  return Object.assign(fn, {
    access: { kind: "permission", permission: opts.permission, reveal: Boolean(opts.reveal) } as const,
  });
}

export function publicRoute<P extends Record<string, string | string[]> = Record<string, never>>(
  handler: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
  opts: { reason: string; errors?: ErrorFormat },
): Handler {
  const fn = async (req: Request, ctx: NextCtx): Promise<Response> => {
    const requestId = newRequestId();
    const clientRequestId = clientRequestIdFrom(req.headers);
    return observed(req, ctx, { requestId, clientRequestId }, async () => {
      const timing = new ServerTiming();
      try {
        const params = ((await ctx?.params) ?? {}) as P;
        return finish(await handler(req, { params, requestId, clientRequestId, timing }), requestId, timing);
      } catch (err) {
        return finish(toErrorResponse(err, requestId, opts.errors), requestId, timing);
      }
    });
  };
  return Object.assign(fn, { access: { kind: "public", reason: opts.reason } as const });
}

export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}
