import { expect, test } from "@playwright/test";

// The server runs on the project's pinned Node (the `node` package), whatever the system has.
test("the running server reports Node.js 24 or newer in /api/health", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { runtime?: { node?: string } };
  const major = Number(/^v(\d+)\./.exec(body.runtime?.node ?? "")?.[1]);
  expect(major, `runtime.node was ${JSON.stringify(body.runtime?.node)}`).toBeGreaterThanOrEqual(24);
});
