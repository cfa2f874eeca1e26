/** @type {import('next').NextConfig} */
const nextConfig = {
  // NEXT_DIST_DIR lets a second build live beside the first (e.g. two test suites at once).
  ...(process.env.NEXT_DIST_DIR ? { distDir: process.env.NEXT_DIST_DIR } : {}),
  // Packages with native bindings, WebAssembly or dynamic requires run unbundled on the server.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "pino",
    "pino-pretty",
    // Optional backends (redis, pg, otel) it loads on demand; the job queue (lib/jobs/bullmq.ts).
    "bullmq",
  ],
  // The embedded database lives under .data/; never trace it into the build output.
  outputFileTracingExcludes: { "*": [".data/**", ".tmp/**"] },
  // Type checking is its own step (`npm run typecheck`, first in `npm test` and CI); doing it
  // again inside every build only slows `npm start` and the e2e builds down.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
      {
        // Pages get theirs, with a nonce, from proxy.ts; API answers are data and load nothing.
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
