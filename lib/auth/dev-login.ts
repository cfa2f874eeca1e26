import { env, isDevLoginEnabled, isOidcConfigured } from "@/lib/config/env";
import { originOf, sameOriginPath } from "@/lib/http/same-origin";
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

/**
 * Where to go after sign-in: /chat when nothing is asked for, else the target as a path on this
 * app (lib/http/same-origin.ts), "/" when it points anywhere else. An open redirect after
 * sign-in is a phishing tool.
 */
export function safeCallbackPath(raw: unknown, appOrigin: string | null = originOf(env().AUTH_URL)): string {
  if (raw === undefined || raw === null || raw === "") return "/chat";
  return sameOriginPath(raw, appOrigin);
}
