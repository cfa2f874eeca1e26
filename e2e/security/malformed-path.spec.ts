import { expect, test } from "@playwright/test";

// A path segment that is not valid percent-encoded UTF-8 is a 400 with a JSON error, not a
// plain-text 500 from the framework, on the API and on pages, signed in or not.
for (const path of ["/api/conversations/%ED%A0%80", "/api/conversations/%ED%A0%80/messages", "/chat/%ED%A0%80"]) {
  test(`a malformed percent-encoding in ${path} is a 400 JSON error`, async ({ request }) => {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status()).toBe(400);
    expect(res.headers()["content-type"]).toMatch(/^application\/json/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
  });
}
