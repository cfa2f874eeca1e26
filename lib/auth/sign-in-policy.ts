import {
  unsafeApplyGroupMappings,
  unsafeFindOrgByEmailDomain,
  unsafeFindUserByEmail,
  unsafeOrgAllowsDevLogin,
  unsafeProvisionUser,
  unsafeRecordRefusedSignIn,
} from "@/lib/db/identity";
import type { UserRecord } from "@/lib/db";
import { z } from "zod";

/**
 * Who may sign in, decided the same way for every provider: an existing, enabled user; or, for
 * SSO, a new person whose verified email domain belongs to an org (provisioned just in time).
 */
export type SignInDecision =
  | { ok: true; user: UserRecord; provisioned: boolean }
  | {
      ok: false;
      reason: "unknown-domain" | "disabled" | "unknown-user" | "no-email" | "unverified-email" | "dev-login-disabled";
      domain?: string;
    };

const Email = z.email().max(320);

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

export async function decideDevSignIn(rawEmail: unknown): Promise<SignInDecision> {
  const parsed = Email.safeParse(typeof rawEmail === "string" ? rawEmail.trim() : rawEmail);
  if (!parsed.success) return { ok: false, reason: "unknown-user" };
  const user = await unsafeFindUserByEmail(parsed.data);
  if (!user) return { ok: false, reason: "unknown-user" };
  if (user.disabledAt) {
    await unsafeRecordRefusedSignIn({ orgId: user.orgId, userId: user.id, provider: "dev", reason: "disabled" });
    return { ok: false, reason: "disabled" };
  }
  if (!(await unsafeOrgAllowsDevLogin(user.orgId))) return { ok: false, reason: "dev-login-disabled" };
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

export async function decideSsoSignIn(profile: {
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
}): Promise<SignInDecision> {
  const parsed = Email.safeParse(typeof profile.email === "string" ? profile.email.trim() : undefined);
  if (!parsed.success) return { ok: false, reason: "no-email" };
  // An IdP that says the address is unverified does not get to claim it.
  if (profile.email_verified === false) return { ok: false, reason: "unverified-email" };
  const email = parsed.data.toLowerCase();
  const existing = await unsafeFindUserByEmail(email);
  if (existing) {
    if (!existing.disabledAt) return { ok: true, user: existing, provisioned: false };
    await unsafeRecordRefusedSignIn({ orgId: existing.orgId, userId: existing.id, provider: "oidc", reason: "disabled" });
    return { ok: false, reason: "disabled" };
  }
  const domain = domainOf(email);
  const org = await unsafeFindOrgByEmailDomain(domain);
  if (!org) return { ok: false, reason: "unknown-domain", domain };
  const name = typeof profile.name === "string" && profile.name.trim() ? profile.name.trim().slice(0, 200) : email.split("@")[0]!;
  const user = await unsafeProvisionUser({ orgId: org.id, email, name });
  return { ok: true, user, provisioned: true };
}
