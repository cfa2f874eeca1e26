import NextAuth, { type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { randomBytes } from "node:crypto";
import { env, isDevLoginEnabled, isOidcConfigured } from "@/lib/config/env";
import { unsafeCreateSession, unsafeFindUserByEmail, unsafeFindUserBySsoIdentity, unsafeRevokeSession } from "@/lib/db/identity";
import { logger } from "@/lib/observability/logger";
import { authSecret } from "./secret";
import { sessionCookieConfig } from "./session-cookie";
import { originOf, sameOriginPath } from "@/lib/http/same-origin";
import { applySsoGroups, decideDevSignIn, decideSsoSignIn, groupsFrom } from "./sign-in-policy";

declare module "next-auth" {
  interface Session {
    /** Server-side session id; the principal is resolved from it on every request. */
    sid?: string;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    sid?: string;
  }
}

function refusalUrl(reason: string, domain?: string): string {
  const q = new URLSearchParams({ error: reason, ...(domain ? { domain } : {}) });
  return `/signin/error?${q.toString()}`;
}

function providers(): NextAuthConfig["providers"] {
  const e = env();
  const list: NextAuthConfig["providers"] = [];
  if (isOidcConfigured(e)) {
    list.push({
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oidc",
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: e.OIDC_SCOPES } },
    });
  }
  if (isDevLoginEnabled(e)) {
    list.push(
      Credentials({
        id: "dev",
        name: "Dev sign-in",
        credentials: { email: { label: "Email", type: "email" } },
        async authorize(credentials) {
          const decision = await decideDevSignIn(credentials?.email);
          if (!decision.ok) return null;
          return { id: decision.user.id, email: decision.user.email, name: decision.user.name };
        },
      }),
    );
  }
  return list;
}

// Built per request (a function config) so providers follow the running server's environment,
// not the one `next build` happened to see.
function config(): NextAuthConfig {
  const e = env();
  const maxAge = e.SESSION_MAX_AGE_HOURS * 3600;
  return {
    secret: authSecret(),
    trustHost: true,
    session: { strategy: "jwt", maxAge },
    // `__Host-authjs.session-token` where AUTH_URL is https (lib/auth/session-cookie.ts).
    cookies: sessionCookieConfig(e.AUTH_URL),
    pages: { signIn: "/signin", error: "/signin/error" },
    providers: providers(),
    logger: {
      error: (error) => logger.warn({ component: "auth", err: { name: error.name, message: error.message } }, "auth error"),
      warn: (code) => logger.debug({ component: "auth", code }, "auth warning"),
      debug: () => {},
    },
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider === "dev") return true; // authorize() already decided
        if (account?.provider !== "oidc" || !profile) return false;
        const e = env();
        const decision = await decideSsoSignIn(profile, { issuer: e.OIDC_ISSUER ?? "", trustEmail: e.OIDC_TRUST_EMAIL });
        if (!decision.ok) {
          logger.info({ component: "auth", reason: decision.reason, domain: decision.domain }, "SSO sign-in refused");
          return refusalUrl(decision.reason, decision.domain);
        }
        if (decision.provisioned) logger.info({ component: "auth", userId: decision.user.id }, "provisioned user on first SSO sign-in");
        const mapped = await applySsoGroups(decision.user, groupsFrom(profile, e.OIDC_GROUPS_CLAIM));
        if (mapped.role || mapped.team || mapped.keptLastAdmin) {
          logger.info({ component: "auth", userId: decision.user.id, ...mapped }, "SSO group mappings applied");
        }
        return true;
      },
      async jwt({ token, user, account, trigger }) {
        if (trigger !== "signIn" || !account) return token;
        // SSO: the account bound to the identity signIn() just accepted (issuer + subject), never
        // a look-up by email. Dev sign-in: the user authorize() picked.
        let dbUser;
        if (account.provider === "oidc") {
          const issuer = env().OIDC_ISSUER;
          dbUser = issuer && account.providerAccountId ? await unsafeFindUserBySsoIdentity({ issuer, subject: account.providerAccountId }) : null;
        } else {
          const email = (user?.email ?? token.email ?? "").toLowerCase();
          dbUser = email ? await unsafeFindUserByEmail(email) : null;
        }
        if (!dbUser || dbUser.disabledAt) return null;
        const sid = randomBytes(24).toString("base64url");
        await unsafeCreateSession({
          id: sid,
          userId: dbUser.id,
          orgId: dbUser.orgId,
          provider: account.provider,
          expiresAt: new Date(Date.now() + maxAge * 1000),
        });
        // The cookie carries only the session id and display fields; roles and org are read
        // fresh from the database on each request.
        return { sid, sub: dbUser.id, name: dbUser.name, email: dbUser.email };
      },
      session({ session, token }) {
        return { ...session, sid: token.sid };
      },
      // Every redirect Auth.js makes (callbackUrl, its callback-url cookie, signIn's redirectTo):
      // parsed as the browser will parse it, and only to this app's own origin, else "/".
      redirect({ url, baseUrl }) {
        return new URL(sameOriginPath(url, originOf(baseUrl)), baseUrl).href;
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (sid) await unsafeRevokeSession(sid);
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
