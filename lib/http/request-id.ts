import { randomUUID } from "node:crypto";

/** Honour a caller's request id if it is sane (so traces join up across proxies); else mint one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
}
