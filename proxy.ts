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

export const config = {
  matcher: [
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
