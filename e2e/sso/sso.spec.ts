import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { ChatPage } from "../fixtures/pages/chat-page";
import { OidcLoginPage } from "../fixtures/pages/oidc-login-page";
import { OIDC_CLIENT } from "../fixtures/servers";

/**
 * Sign-in through the organization's OpenID provider (the local e2e provider): just-in-time
 * provisioning into the org that owns the email domain, refusal for unknown domains, and no
 * dev sign-in once SSO is configured.
 */

interface Me {
  email: string;
  name: string;
  role: string;
  org: { name: string };
}

test.describe("single sign-on", () => {
  test("the sign-in page offers SSO and no dev sign-in", async ({ signInPage }) => {
    await signInPage.goto();
    await expect(signInPage.ssoButton(OIDC_CLIENT.name)).toBeVisible();
    await expect(signInPage.devSection).toHaveCount(0);
    await expect(signInPage.seededUserButtons).toHaveCount(0);
    await expect(signInPage.emailInput).toHaveCount(0);
  });

  test("a new person from a known domain (sam@acme.test) is provisioned into that org on first SSO sign-in", async ({ page, signInPage }) => {
    await signInPage.goto();
    await signInPage.ssoButton(OIDC_CLIENT.name).click();
    await new OidcLoginPage(page).signIn("sam@acme.test");

    const chat = new ChatPage(page);
    await expect(page).toHaveURL(/\/chat$/);
    await chat.expectReady();
    await expect(chat.currentUser).toHaveText("Sam");
    await expect(chat.currentOrg).toHaveText("Acme · member");
    const profile = (await (await page.request.get("/api/me")).json()) as Me;
    expect(profile).toMatchObject({ email: "sam@acme.test", role: "member", org: { name: "Acme" } });

    // The session works for chatting too.
    const id = await chat.sendAndWaitForReply(`Hello from SSO ${crypto.randomUUID().slice(0, 8)}`);
    expect(id).toBeTruthy();
  });

  test("an existing seeded user signs in through SSO as themselves", async ({ page, signInPage }) => {
    await signInPage.goto();
    await signInPage.ssoButton(OIDC_CLIENT.name).click();
    await new OidcLoginPage(page).signIn(USERS.dan.email);

    const chat = new ChatPage(page);
    await expect(page).toHaveURL(/\/chat$/);
    await expect(chat.currentUser).toHaveText(USERS.dan.name);
    await expect(chat.currentOrg).toHaveText(`Acme · member · ${USERS.dan.team}`);
    const profile = (await (await page.request.get("/api/me")).json()) as Me;
    expect(profile).toMatchObject({ email: USERS.dan.email, name: USERS.dan.name, role: "member", org: { name: "Acme" } });
  });

  test("a person from an unknown domain is refused with an explanation", async ({ page, signInPage }) => {
    await signInPage.goto();
    await signInPage.ssoButton(OIDC_CLIENT.name).click();
    await new OidcLoginPage(page).signIn("zoe@unknown.test");

    await expect(page).toHaveURL(/\/signin\/error\?/);
    const refusal = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Your organization is not set up in Enclave" }) });
    await expect(refusal).toBeVisible();
    await expect(refusal).toContainText("“unknown.test”");
    await expect(page).toHaveTitle(/Sign-in refused/);
    await expectApiError(await page.request.get("/api/me"), 401, "unauthorized");

    await page.goto("/chat");
    await expect(page).toHaveURL(/\/signin/);
  });

  test("the dev sign-in endpoint signs nobody in", async ({ request }) => {
    const csrf = await request.get("/api/auth/csrf");
    expect(csrf.status()).toBe(200);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    expect(csrfToken).toBeTruthy();

    const res = await request.post("/api/auth/callback/dev", {
      form: { csrfToken, email: USERS.alice.email, callbackUrl: "/chat" },
      maxRedirects: 0,
    });
    // Auth.js knows no "dev" provider here: it sends the caller to the error page, not to /chat.
    expect(res.status()).toBe(302);
    expect(new URL(res.headers()["location"] ?? "", "http://x").pathname).toBe("/signin/error");
    const setCookies = res.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
    expect(setCookies.filter((c) => /session-token=[^;]+/.test(c))).toEqual([]);

    await expectApiError(await request.get("/api/me"), 401, "unauthorized");
    const session = await request.get("/api/auth/session");
    expect(await session.json()).toBeNull();
  });
});
