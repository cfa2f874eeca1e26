import {
  unsafeApplyGroupMappings,
  unsafeBindSsoIdentity,
  unsafeFindOrgByEmailDomain,
  unsafeFindSsoUserByEmail,
  unsafeFindUserByEmail,
  unsafeFindUserBySsoIdentity,
  unsafeOrgAllowsDevLogin,
  unsafeProvisionUser,
  unsafeRecordRefusedSignIn,
  type SsoIdentity,
} from "@/lib/db/identity";
import type { UserRecord } from "@/lib/db";
import { z } from "zod";

/**
 * Who may sign in, decided the same way for every provider: an existing, enabled user; or, for
 * SSO, a new person whose verified email domain belongs to an org (provisioned just in time).
 * An SSO identity is its issuer and subject: an account is bound to one at its first SSO
 * sign-in and is found by it afterwards; an email address only ever links an unbound account.
 */
export type SignInDecision =
  | { ok: true; user: UserRecord; provisioned: boolean }
  | {
      ok: false;
      reason:
        | "unknown-domain"
        | "unverified-domain"
        | "disabled"
        | "unknown-user"
        | "no-email"
        | "no-subject"
        | "unverified-email"
        | "identity-mismatch"
        | "dev-login-disabled";
      domain?: string;
    };

type Refusal = Extract<SignInDecision, { ok: false }>;

const Email = z.email().max(320);
/** OIDC Core: `sub` is at most 255 ASCII characters. */
const Subject = z.string().min(1).max(255);

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/**
 * The org a refusal of this address is recorded in: the org that owns its domain (a verified
 * claim), or none, the system scope. An unverified claim is no ownership: such an org does not
 * get to read the sign-in attempts of a domain's people.
 */
async function orgOfDomain(email: string): Promise<string | null> {
  const org = await unsafeFindOrgByEmailDomain(domainOf(email));
  return org?.domainVerified ? org.id : null;
}

export async function decideDevSignIn(rawEmail: unknown): Promise<SignInDecision> {
  const parsed = Email.safeParse(typeof rawEmail === "string" ? rawEmail.trim() : rawEmail);
  if (!parsed.success) {
    await unsafeRecordRefusedSignIn({
      orgId: null,
      provider: "dev",
      reason: "unknown-user",
      ...(typeof rawEmail === "string" ? { email: rawEmail } : {}),
    });
    return { ok: false, reason: "unknown-user" };
  }
  const email = parsed.data.toLowerCase();
  const user = await unsafeFindUserByEmail(email);
  if (!user) {
    await unsafeRecordRefusedSignIn({ orgId: await orgOfDomain(email), provider: "dev", reason: "unknown-user", email });
    return { ok: false, reason: "unknown-user" };
  }
  if (user.disabledAt) {
    await unsafeRecordRefusedSignIn({ orgId: user.orgId, userId: user.id, provider: "dev", reason: "disabled" });
    return { ok: false, reason: "disabled" };
  }
  if (!(await unsafeOrgAllowsDevLogin(user.orgId))) {
    await unsafeRecordRefusedSignIn({ orgId: user.orgId, userId: user.id, provider: "dev", reason: "dev-login-disabled" });
    return { ok: false, reason: "dev-login-disabled" };
  }
  return { ok: true, user, provisioned: false };
}

/** The IdP's groups claim, however it is shaped (list, single value, or absent). */
export function groupsFrom(profile: Record<string, unknown>, claim: string): string[] {
  const raw = profile[claim];
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : [];
  return list.filter((g): g is string => typeof g === "string" && g.length > 0 && g.length <= 256).slice(0, 200);
}

/** After a successful SSO decision: bring role and team in line with the IdP's groups. */
export async function applySsoGroups(user: UserRecord, groups: readonly string[]) {
  return unsafeApplyGroupMappings({ userId: user.id, orgId: user.orgId, groups });
}

/**
 * Whether the IdP vouches for the email: `email_verified` must be true (a boolean, or the string
 * some IdPs send). With `trustEmail` (OIDC_TRUST_EMAIL) a missing claim counts as verified; an
 * explicit false never does.
 */
export function emailIsVerified(claim: unknown, trustEmail: boolean): boolean {
  if (claim === true || claim === "true") return true;
  return trustEmail && claim === undefined;
}

const sameIdentity = (a: SsoIdentity, b: SsoIdentity) => a.issuer === b.issuer && a.subject === b.subject;

export interface SsoSignInOptions {
  /** The configured issuer (OIDC_ISSUER); Auth.js has checked the token's `iss` against it. */
  issuer: string;
  /** OIDC_TRUST_EMAIL. */
  trustEmail: boolean;
}

export async function decideSsoSignIn(
  profile: { sub?: unknown; email?: unknown; email_verified?: unknown; name?: unknown },
  opts: SsoSignInOptions,
): Promise<SignInDecision> {
  const refuse = async (
    reason: Refusal["reason"],
    at: { orgId: string | null; userId?: string; email?: string; identity?: SsoIdentity },
    domain?: string,
  ): Promise<Refusal> => {
    await unsafeRecordRefusedSignIn({ provider: "oidc", reason, ...at });
    return { ok: false, reason, ...(domain ? { domain } : {}) };
  };

  const sub = Subject.safeParse(profile.sub);
  const rawEmail = typeof profile.email === "string" ? profile.email.trim() : undefined;
  if (!sub.success) return refuse("no-subject", { orgId: null, ...(rawEmail ? { email: rawEmail } : {}) });
  const identity: SsoIdentity = { issuer: opts.issuer, subject: sub.data };

  // A bound identity is the account: the email claim plays no part any more.
  const bound = await unsafeFindUserBySsoIdentity(identity);
  if (bound) {
    if (bound.disabledAt) return refuse("disabled", { orgId: bound.orgId, userId: bound.id, identity });
    return { ok: true, user: bound, provisioned: false };
  }

  const parsed = Email.safeParse(rawEmail);
  if (!parsed.success) return refuse("no-email", { orgId: null, identity, ...(rawEmail ? { email: rawEmail } : {}) });
  const email = parsed.data.toLowerCase();
  const existing = await unsafeFindSsoUserByEmail(email);
  // An IdP that does not vouch for the address does not get to claim it (nOAuth).
  if (!emailIsVerified(profile.email_verified, opts.trustEmail)) {
    return refuse("unverified-email", { orgId: existing?.orgId ?? (await orgOfDomain(email)), email, identity });
  }

  if (existing) {
    // Another identity (other subject, or another issuer) already owns this account.
    if (existing.ssoIdentity && !sameIdentity(existing.ssoIdentity, identity)) {
      return refuse("identity-mismatch", { orgId: existing.orgId, userId: existing.id, email, identity });
    }
    if (existing.disabledAt) return refuse("disabled", { orgId: existing.orgId, userId: existing.id, identity });
    if (!existing.ssoIdentity) {
      const r = await unsafeBindSsoIdentity({ userId: existing.id, orgId: existing.orgId, identity });
      if (r === "bound-to-another") return refuse("identity-mismatch", { orgId: existing.orgId, userId: existing.id, email, identity });
    }
    const { ssoIdentity: _bound, ...user } = existing;
    return { ok: true, user, provisioned: false };
  }

  const domain = domainOf(email);
  const org = await unsafeFindOrgByEmailDomain(domain);
  if (!org) return refuse("unknown-domain", { orgId: null, email, identity }, domain);
  // Claimed but not verified: an admin's say-so does not make a domain's people theirs.
  if (!org.domainVerified) return refuse("unverified-domain", { orgId: null, email, identity }, domain);
  const name = typeof profile.name === "string" && profile.name.trim() ? profile.name.trim().slice(0, 200) : email.split("@")[0]!;
  const { ssoIdentity, ...user } = await unsafeProvisionUser({ orgId: org.id, email, name, identity });
  // Lost a race to another first sign-in with this email: only the same identity may continue.
  if (!ssoIdentity || !sameIdentity(ssoIdentity, identity)) return refuse("identity-mismatch", { orgId: user.orgId, userId: user.id, email, identity });
  if (user.disabledAt) return refuse("disabled", { orgId: user.orgId, userId: user.id, identity });
  return { ok: true, user, provisioned: true };
}
