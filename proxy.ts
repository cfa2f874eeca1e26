import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/http/content-security-policy";

/**
 * Every page gets a Content-Security-Policy with a fresh nonce (lib/http/content-security-policy.ts).
 * The policy is also set on the request: Next reads the nonce from it while rendering and puts it
 * on its own scripts, which is why every page renders per request (app/layout.tsx is dynamic).
 * API routes are not matched: they answer data, with a fixed policy from next.config.js, and the
 * chat stream pays nothing for this.
 */
export function proxy(request: NextRequest) {
  // A path that is not valid percent-encoded UTF-8 (e.g. /api/conversations/%ED%A0%80) would
  // otherwise reach Next's router and come back as a plain-text 500.
  if (!decodablePath(request.nextUrl.pathname)) {
    return NextResponse.json(
      { error: { code: "bad_request", message: "The address is not valid: a path segment is not valid percent-encoded UTF-8." } },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }
  if (request.nextUrl.pathname.startsWith("/api/")) return NextResponse.next();
  const policy = contentSecurityPolicy({
    nonce: newNonce(),
    oidcIssuer: process.env.OIDC_ISSUER,
    dev: process.env.NODE_ENV === "development",
    https: process.env.AUTH_URL?.startsWith("https:") ?? false,
  });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

function decodablePath(pathname: string): boolean {
  try {
    for (const segment of pathname.split("/")) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

export const config = {
  matcher: [
    // API paths only when percent-encoded, so the chat stream and the rest of the API pay
    // nothing for the check above.
    "/api/:path(.*%.*)",
    {
      // Pages only: not the API, Next's static chunks and images, or files from public/ (a dot in the last segment).
      source: "/((?!api/|_next/static/|_next/image|[^/]*\\.[a-z0-9]+$).*)",
      // Prefetches carry no document; the navigation that follows gets its own policy.
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
