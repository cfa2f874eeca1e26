import { chatRequest, expectApiError, type ConversationDto } from "../fixtures/api";
import { USERS } from "../fixtures/auth";
import { expect, test } from "../fixtures/mock-model";

/**
 * Requests another site makes with the user's session cookie are refused (403 csrf_refused)
 * and change nothing; sign-in never redirects to another origin. Playwright's API client sends
 * no Origin and no Sec-Fetch-Site by default, like every non-browser client: allowed.
 */

const EVIL = "http://evil.example";

test("a cross-site change with the session cookie is refused and changes nothing; the app's own and API-key requests pass", async ({ page, signInAs, baseURL }) => {
  const chat = await signInAs(USERS.alice.email);
  const tag = crypto.randomUUID().slice(0, 8);
  const id = await chat.sendAndWaitForReply(`[[mock:reply=noted]] csrf target ${tag}`);
  const titleOf = async () => ((await (await page.request.get(`/api/conversations/${id}`)).json()) as ConversationDto).title;
  const before = await titleOf();

  // Another site's page: the browser names it in Origin, or says cross-site.
  await expectApiError(
    await page.request.patch(`/api/conversations/${id}`, { headers: { origin: EVIL }, data: { title: `pwned ${tag}` } }),
    403,
    "csrf_refused",
  );
  await expectApiError(
    await page.request.delete(`/api/conversations/${id}`, { headers: { "sec-fetch-site": "cross-site" } }),
    403,
    "csrf_refused",
  );
  const planted = crypto.randomUUID();
  await expectApiError(
    await page.request.post("/api/chat", { headers: { origin: EVIL }, data: chatRequest(planted, `[[mock:reply=x]] planted ${tag}`) }),
    403,
    "csrf_refused",
  );
  await expectApiError(await page.request.post("/api/keys", { headers: { origin: EVIL }, data: { name: `evil ${tag}`, scopes: ["chat"] } }), 403, "csrf_refused");
  expect(await titleOf()).toBe(before);
  await expectApiError(await page.request.get(`/api/conversations/${planted}`), 404, "not_found");
  const keys = (await (await page.request.get("/api/keys")).json()) as { items: Array<{ name: string }> };
  expect(keys.items.map((k) => k.name)).not.toContain(`evil ${tag}`);

  // From Enclave's own origin, and from no browser at all, the same requests work.
  const own = await page.request.patch(`/api/conversations/${id}`, {
    headers: { origin: baseURL!, "sec-fetch-site": "same-origin" },
    data: { title: `renamed ${tag}` },
  });
  expect(own.status(), await own.text()).toBe(200);
  const created = await page.request.post("/api/keys", { data: { name: `mine ${tag}`, scopes: ["chat"] } });
  expect(created.status()).toBe(201);
  const { key } = (await created.json()) as { key: string };

  // An API key is not a cookie another site could make the browser send: no Origin check.
  const withKey = await fetch(`${baseURL}/api/conversations/${id}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${key}`, origin: EVIL, "content-type": "application/json" },
    body: JSON.stringify({ title: `by key ${tag}` }),
  });
  expect(withKey.status, await withKey.text()).toBe(200);
  expect(await titleOf()).toBe(`by key ${tag}`);
});

test("the sign-in redirect (callbackUrl) never leaves the app's origin", async ({ page, signInAs, baseURL }) => {
  await signInAs(USERS.alice.email);
  for (const target of ["/%09/evil.example", "/%5Cevil.example", "//evil.example", "https://evil.example/", "/.//evil.example"]) {
    const res = await page.request.get(`/signin?callbackUrl=${target}`, { maxRedirects: 0 });
    expect(res.status(), target).toBe(307);
    const location = res.headers()["location"] ?? "";
    // Where a browser would go: it drops tabs and newlines and reads backslashes as slashes.
    expect(new URL(location, baseURL).origin, `${target} → ${JSON.stringify(location)}`).toBe(baseURL);
    expect(location, target).not.toMatch(/^[\s/\\]*[/\\][\s/\\]*[/\\]/);
  }
  const fine = await page.request.get("/signin?callbackUrl=/settings/keys", { maxRedirects: 0 });
  expect(fine.headers()["location"]).toBe("/settings/keys");
});

test("signed out, the sign-in form carries only a same-origin callbackUrl", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  const html = await (await anonymous.get("/signin?callbackUrl=/%09/evil.example")).text();
  const values = [...html.matchAll(/name="callbackUrl" value="([^"]*)"/g)].map((m) => m[1]);
  expect(values.length).toBeGreaterThan(0);
  for (const v of values) expect(v).toBe("/");
  await anonymous.dispose();
});
