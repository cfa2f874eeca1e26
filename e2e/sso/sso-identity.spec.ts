import type { Browser } from "@playwright/test";
import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { ChatPage } from "../fixtures/pages/chat-page";
import { OidcLoginPage } from "../fixtures/pages/oidc-login-page";
import { OIDC_CLIENT } from "../fixtures/servers";

/**
 * SSO identities bind to accounts by issuer and subject, never by email alone ("nOAuth"): an
 * identity whose email the IdP does not vouch for is refused, and so is a second identity (another
 * `sub`) that carries an existing person's email. The e2e provider makes such identities from
 * login directives (e2e/fixtures/oidc/provider.ts).
 */

interface AuditPage {
  items: Array<{ id: string; action: string; outcome: string; target: { type: string; id: string } | null }>;
}

/** A fresh browser (no IdP or Enclave cookies) signing in through SSO as `login`. */
async function ssoSignIn(browser: Browser, baseURL: string | undefined, login: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByRole("button", { name: `Sign in with ${OIDC_CLIENT.name}` }).click();
  await new OidcLoginPage(page).signIn(login);
  return { context, page };
}

test.describe("SSO identity binding", () => {
  test("a sign-in whose email_verified claim is missing or false is refused, for a new person and an existing one", async ({ browser, baseURL }) => {
    for (const login of ["nina@acme.test;email_verified=absent", `${USERS.alice.email};email_verified=absent`, "nina@acme.test;email_verified=false"]) {
      const { context, page } = await ssoSignIn(browser, baseURL, login);
      await expect(page, login).toHaveURL(/\/signin\/error\?/);
      await expect(page).toHaveURL(/error=unverified-email/);
      await expect(page.getByRole("heading", { name: "Your identity provider did not share a verified email" })).toBeVisible();
      await expectApiError(await page.request.get("/api/me"), 401, "unauthorized");
      await context.close();
    }
  });

  test("a second identity carrying an existing person's email is refused and audited; the bound identity still signs in", async ({ browser, baseURL }) => {
    // heidi's first SSO sign-in binds her account to her IdP subject.
    const first = await ssoSignIn(browser, baseURL, USERS.heidi.email);
    await expect(first.page).toHaveURL(/\/chat$/);
    await expect(new ChatPage(first.page).currentUser).toHaveText(USERS.heidi.name);
    const heidiId = ((await (await first.page.request.get("/api/me")).json()) as { id: string }).id;
    await first.context.close();

    // Another subject at the same IdP with heidi's verified email: refused, nobody signed in.
    const impostor = await ssoSignIn(browser, baseURL, `${USERS.heidi.email};as=second-identity`);
    await expect(impostor.page).toHaveURL(/\/signin\/error\?error=identity-mismatch/);
    await expect(impostor.page.getByRole("heading", { name: "This email is linked to another sign-in" })).toBeVisible();
    await expectApiError(await impostor.page.request.get("/api/me"), 401, "unauthorized");
    const session = await impostor.page.request.get("/api/auth/session");
    expect(await session.json()).toBeNull();
    await impostor.context.close();

    // heidi herself still gets in.
    const again = await ssoSignIn(browser, baseURL, USERS.heidi.email);
    await expect(again.page).toHaveURL(/\/chat$/);
    await again.context.close();

    // The refusal is in Acme's audit trail, on heidi's account.
    const carol = await ssoSignIn(browser, baseURL, USERS.carol.email);
    await expect(carol.page).toHaveURL(/\/chat$/);
    const res = await carol.page.request.get("/api/admin/audit/events?action=auth.sign_in_refused&outcome=failure");
    expect(res.status(), await res.text()).toBe(200);
    const refused = ((await res.json()) as AuditPage).items.filter((e) => e.target?.id === heidiId);
    expect(refused).toHaveLength(1);
    const detail = await carol.page.request.get(`/api/admin/audit/events/${refused[0]!.id}`);
    expect(((await detail.json()) as { event: { data: Record<string, unknown> } }).event.data).toMatchObject({
      provider: "oidc",
      reason: "identity-mismatch",
      email: USERS.heidi.email,
    });
    await carol.context.close();
  });
});
