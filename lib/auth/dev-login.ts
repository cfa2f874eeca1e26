import { isDevLoginEnabled, isOidcConfigured } from "@/lib/config/env";
import { unsafeListUsersForDevLogin } from "@/lib/db/identity";

export interface SignInOptions {
  sso: { enabled: boolean; name: string };
  dev: { enabled: boolean; users: Array<{ email: string; name: string; role: string; orgName: string }> };
}

export async function signInOptions(ssoName: string): Promise<SignInOptions> {
  const dev = isDevLoginEnabled();
  const users = dev ? await unsafeListUsersForDevLogin() : [];
  return {
    sso: { enabled: isOidcConfigured(), name: ssoName },
    dev: { enabled: dev, users: users.map((u) => ({ email: u.email, name: u.name, role: u.role, orgName: u.orgName })) },
  };
}

/** Only same-site paths: an open redirect after sign-in is a phishing tool. */
export function safeCallbackPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/chat";
  return raw.slice(0, 512);
}
