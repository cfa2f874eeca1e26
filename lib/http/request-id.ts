import { randomUUID } from "node:crypto";

/**
 * Request ids are the server's own: they group a turn's audit timeline and every log line of a
 * request, so a client must not be able to choose one (and file its request under another's).
 */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * The caller's own `x-request-id`, when it is sane, kept beside ours (request context, logs,
 * audit data) so traces join up across proxies; never used as ours.
 */
export function clientRequestIdFrom(headers: Headers): string | undefined {
  const given = headers.get("x-request-id");
  return given && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : undefined;
}
