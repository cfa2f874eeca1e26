import { expect, test, USERS } from "../fixtures/auth";
import { ChatPage } from "../fixtures/pages/chat-page";
import { OidcLoginPage } from "../fixtures/pages/oidc-login-page";
import { SignInPage } from "../fixtures/pages/signin-page";
import { OIDC_CLIENT, URLS } from "../fixtures/servers";

/**
 * The pages' Content-Security-Policy lets forms post only to Enclave and to the SSO issuer:
 * the sign-in form's answer is a redirect to the issuer, which `form-action` governs when the
 * form is submitted natively (before the page's scripts run, or with scripts off).
 */
test("the sign-in page's CSP lets the SSO form reach the issuer, and SSO sign-in works without scripts", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });

  const res = await page.goto("/signin");
  const csp = res?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(new RegExp(`form-action 'self' ${URLS.oidc.replace(/[.]/g, "\\.")}(;|$)`));

  const signIn = new SignInPage(page);
  await expect(signIn.heading).toBeVisible();
  await signIn.ssoButton(OIDC_CLIENT.name).click();
  await new OidcLoginPage(page).signIn(USERS.dan.email);
  await expect(page).toHaveURL(/\/chat$/);
  await expect(new ChatPage(page).currentUser).toHaveText(USERS.dan.name);
  expect(violations).toEqual([]);
  await context.close();
});
