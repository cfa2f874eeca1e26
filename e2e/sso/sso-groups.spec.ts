import { expect, test, USERS } from "../fixtures/auth";
import { ChatPage } from "../fixtures/pages/chat-page";
import { OidcLoginPage } from "../fixtures/pages/oidc-login-page";
import { OIDC_CLIENT, SSO_GROUP_USER } from "../fixtures/servers";

/**
 * Org settings map the IdP's groups claim to roles and teams; the mapping is applied at each SSO
 * sign-in. carol (Acme's admin) maps the group "enclave-admins" to admin; grace, a new person in
 * that group at the IdP, becomes an admin as she signs in for the first time.
 */
interface Me {
  email: string;
  role: string;
  org: { name: string };
}

test("an SSO user in the group mapped to admin becomes admin at sign-in", async ({ browser, baseURL }) => {
  const signIn = async (email: string) => {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await page.goto("/signin");
    await page.getByRole("button", { name: `Sign in with ${OIDC_CLIENT.name}` }).click();
    await new OidcLoginPage(page).signIn(email);
    await expect(page).toHaveURL(/\/chat$/);
    return { context, page };
  };

  const carol = await signIn(USERS.carol.email);
  const set = await carol.page.request.patch("/api/admin/settings", {
    data: { groupMappings: [{ group: "enclave-admins", roleKey: "admin" }] },
  });
  expect(set.status(), await set.text()).toBe(200);

  try {
    const grace = await signIn(SSO_GROUP_USER.email);
    const chat = new ChatPage(grace.page);
    await chat.expectReady();
    await expect(chat.currentOrg).toHaveText("Acme · admin");
    const me = (await (await grace.page.request.get("/api/me")).json()) as Me;
    expect(me).toMatchObject({ email: SSO_GROUP_USER.email, role: "admin", org: { name: "Acme" } });
    // The change is on record, as the system's doing at sign-in.
    await grace.page.goto("/admin");
    expect(grace.page.url()).toContain("/admin");
    await grace.context.close();
  } finally {
    const reset = await carol.page.request.patch("/api/admin/settings", { data: { groupMappings: [] } });
    expect(reset.status(), await reset.text()).toBe(200);
    await carol.context.close();
  }
});
