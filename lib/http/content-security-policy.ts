import { originOf } from "./same-origin";

/**
 * The Content-Security-Policy every page is sent with (proxy.ts sets it per request, with a
 * fresh nonce). Model output is untrusted text rendered in the page, so the policy is what stops
 * a reply (or anything a prompt injection got into one) from making the browser talk to another
 * host: no foreign images, scripts, styles, fonts, frames or fetches, and forms post only here
 * (and to the SSO provider, where sign-in goes).
 *
 * Pure: no Next or environment imports, so the proxy and the tests build the same string.
 */
export interface CspOptions {
  /** Per request, unguessable; Next reads it back from the request's CSP header and puts it on its scripts. */
  nonce: string;
  /** OIDC_ISSUER: sign-in submits a form whose answer redirects there, which form-action governs. */
  oidcIssuer?: string;
  /** `next dev` needs eval (React's debug stacks) and a websocket (hot reload); production needs neither. */
  dev?: boolean;
  /** Served over HTTPS (AUTH_URL https): upgrade any stray http:// subresource. */
  https?: boolean;
}


export function contentSecurityPolicy({ nonce, oidcIssuer, dev = false, https = false }: CspOptions): string {
  const issuer = originOf(oidcIssuer);
  const directives: Array<[string, ...string[]]> = [
    ["default-src", "'self'"],
    // 'strict-dynamic': what a nonced script loads is trusted too (Next's chunks); host lists are ignored.
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(dev ? ["'unsafe-eval'"] : [])],
    // Style attributes (React's style={…}) and Next's inline styles; styles cannot fetch anything
    // from elsewhere because img-src/font-src/default-src still apply to what they reference.
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...(dev ? ["ws:", "wss:"] : [])],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'", ...(issuer ? [issuer] : [])],
    ["frame-ancestors", "'none'"],
    ...(https ? [["upgrade-insecure-requests"] as [string]] : []),
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

/** 128 random bits, base64: a nonce per response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
