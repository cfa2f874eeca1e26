/**
 * What "this app's own origin" means for requests and redirects. With AUTH_URL set it is that
 * URL's origin (the address people use, also behind a proxy); without it, the Host the request
 * came in on. Pure functions: the route wrapper, the sign-in pages and the tests share them.
 */

/** The origin of AUTH_URL, or null when it is unset or not a URL. */
export function originOf(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    const { origin } = new URL(url);
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/** Methods that must not change anything, so a cross-site one is harmless (and links must work). */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a cookie-authenticated request must be refused as cross-site, or null to let it through.
 *
 * A browser says where a request comes from: `Sec-Fetch-Site` (same-origin, same-site,
 * cross-site, none) and `Origin` on every POST/PATCH/DELETE. Either naming another origin is a
 * refusal, even a sibling on the same site (same-site cookies are sent from there). A request
 * with neither header comes from no browser (curl, a script, Playwright's API client), and
 * nothing can forge one on a user's behalf, so it passes.
 */
export function crossSiteRefusal(
  req: { method: string; headers: Headers },
  appOrigin: string | null,
): string | null {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  const site = req.headers.get("sec-fetch-site")?.trim().toLowerCase();
  if (site === "cross-site" || site === "same-site") return `Sec-Fetch-Site: ${site}`;
  const origin = req.headers.get("origin")?.trim();
  if (!origin) return null;
  if (origin === "null") return "Origin: null";
  if (appOrigin) return originOf(origin) === appOrigin ? null : `Origin: ${origin.slice(0, 200)}`;
  // No AUTH_URL: compare hosts with the one this request was sent to (the scheme may differ
  // behind a TLS-terminating proxy that does not say so).
  const host = (req.headers.get("x-forwarded-host") ?? req.headers.get("host"))?.split(",")[0]?.trim().toLowerCase();
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    originHost = null;
  }
  return host && originHost === host ? null : `Origin: ${origin.slice(0, 200)}`;
}

// Stands in for the app's origin when AUTH_URL is unset: only relative targets can match it.
const PLACEHOLDER_ORIGIN = "http://enclave.invalid";
const MAX_TARGET_LENGTH = 2048;

/**
 * A redirect target (callbackUrl, …) as a path on this app, or "/" when it is anything else.
 * It is parsed the way a browser will (`new URL(raw, base)`: tabs and newlines dropped,
 * backslashes read as slashes, dot segments resolved), so what is checked is where the browser
 * would go: `/\t/evil.example` is `//evil.example`, another host, and becomes "/". A path that
 * still begins with `//` after parsing would be read as a host in a Location header: "/" too.
 */
export function sameOriginPath(raw: unknown, appOrigin: string | null): string {
  if (typeof raw !== "string" || raw === "" || raw.length > MAX_TARGET_LENGTH) return "/";
  const base = appOrigin ?? PLACEHOLDER_ORIGIN;
  let target: URL;
  try {
    target = new URL(raw, base);
  } catch {
    return "/";
  }
  if (target.origin !== originOf(base)) return "/";
  if (target.pathname.startsWith("//")) return "/";
  return `${target.pathname}${target.search}${target.hash}`;
}
