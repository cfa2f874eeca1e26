import { z } from "zod";
import { plainText } from "@/lib/http/text";
import { DOMAIN_NAME } from "@/lib/config/env";
import { db } from "@/lib/db";
import { missingGrants } from "@/lib/authz";
import type { AdminWriter, GroupMappingRecord, OrgSettingsRecord, RoleRecord } from "@/lib/db/repositories/admin";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { Id, parseInput, permissionsOfRole, requirePermission, RoleKey, type UseCaseContext } from "./common";
import { provenDomains, verificationRecord, type TxtResolver } from "./domain-verification";
import type { SettingsDto } from "./types";

/** A DNS name with at least two labels (`acme.com`, `eu.acme.co.uk`, `acme.test`), lowercased. */
const DOMAIN = DOMAIN_NAME;

const EmailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(DOMAIN, "not a domain name like example.com (no @, no scheme, no path)");

const EmailDomains = z
  .array(EmailDomain)
  .min(1, "at least one email domain is required")
  .max(50, "at most 50 domains")
  .superRefine((list, ctx) => {
    list.forEach((d, i) => {
      if (list.indexOf(d) !== i) ctx.addIssue({ code: "custom", path: [i], message: `${d} is listed twice` });
    });
  });

const GroupMapping = z
  .object({
    group: plainText().trim().min(1, "the group name is empty").max(200, "at most 200 characters"),
    roleKey: RoleKey.nullable().optional(),
    teamId: Id.nullable().optional(),
  })
  .refine((m) => Boolean(m.roleKey) || Boolean(m.teamId), {
    message: "map the group to a role, a team or both",
    path: ["roleKey"],
  });

const GroupMappings = z
  .array(GroupMapping)
  .max(200, "at most 200 mappings")
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((m, i) => {
      if (seen.has(m.group))
        ctx.addIssue({
          code: "custom",
          path: [i, "group"],
          message: `the group “${m.group}” is mapped twice`,
        });
      seen.add(m.group);
    });
  });

/** PATCH /api/admin/settings. Each field is optional; what is sent replaces what is stored. */
export const UpdateSettingsBody = z
  .object({
    emailDomains: EmailDomains.optional(),
    /** In order: the first mapping that matches one of a person's groups wins. */
    groupMappings: GroupMappings.optional(),
    devLoginEnabled: z.boolean().optional(),
    /** What of each chat turn the audit trail keeps: full text, redacted text, or hashes only. */
    auditContent: z.enum(["full", "redacted", "hashes"]).optional(),
    /** Days after a conversation's last activity before the purge deletes it; null keeps conversations. */
    retentionDays: z
      .number({ error: "a whole number of days, or null to keep conversations" })
      .int("a whole number of days")
      .min(1, "at least 1 day (null keeps conversations)")
      .max(36_500, "at most 36,500 days (100 years); null keeps conversations")
      .nullable()
      .optional(),
  })
  .refine(
    (b) =>
      b.emailDomains !== undefined ||
      b.groupMappings !== undefined ||
      b.devLoginEnabled !== undefined ||
      b.auditContent !== undefined ||
      b.retentionDays !== undefined,
    {
      message: "send at least one of emailDomains, groupMappings, devLoginEnabled, auditContent or retentionDays",
    },
  );
export type UpdateSettingsInput = z.input<typeof UpdateSettingsBody>;

function settingsDto(s: OrgSettingsRecord, options: SettingsDto["options"]): SettingsDto {
  return {
    org: { id: s.id, name: s.name, slug: s.slug },
    emailDomains: s.emailDomains,
    verifiedEmailDomains: s.emailDomains.filter((d) => s.verifiedEmailDomains.includes(d)),
    domainVerification: { recordType: "TXT", value: verificationRecord(s.domainVerificationToken) },
    devLoginEnabled: s.devLoginEnabled,
    auditContent: s.auditContent,
    retentionDays: s.retentionDays,
    groupMappings: s.groupMappings.map((m) => ({ group: m.group, roleKey: m.roleKey, teamId: m.teamId })),
    options,
  };
}

async function options(p: Principal): Promise<SettingsDto["options"]> {
  const admin = db.for(p).admin;
  const [roles, teams] = await Promise.all([admin.listRoles(), admin.listTeamOptions()]);
  return { roles: roles.map((r) => ({ key: r.key, name: r.name })), teams };
}

export async function getSettings(
  p: Principal,
  _input: Record<string, never> = {},
  _ctx: UseCaseContext = {},
): Promise<SettingsDto> {
  requirePermission(p, "org.settings");
  const s = await db.for(p).admin.getSettings();
  if (!s) throw AppError.notFound("Organization");
  return settingsDto(s, await options(p));
}

const sameList = <T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean) =>
  a.length === b.length && a.every((x, i) => eq(x, b[i]!));
const sameMapping = (x: GroupMappingRecord, y: GroupMappingRecord) =>
  x.group === y.group && x.roleKey === y.roleKey && x.teamId === y.teamId;

/**
 * A mapping assigns its role at every sign-in of a person in the group, so storing one is
 * granting that role: the same rule as a direct role change applies to every mapping sent (not
 * only new ones, since order decides which mapping wins). One refusal names each mapping.
 */
async function assertMappingsGrantable(w: AdminWriter, p: Principal, mappings: GroupMappingRecord[]): Promise<void> {
  const roles = new Map<string, RoleRecord | null>();
  const fields: Array<{ field: string; message: string }> = [];
  for (const [i, m] of mappings.entries()) {
    if (!m.roleKey) continue;
    if (!roles.has(m.roleKey)) roles.set(m.roleKey, await w.findRole(m.roleKey));
    const role = roles.get(m.roleKey);
    if (!role) continue; // validated above
    const missing = missingGrants(p, permissionsOfRole(role));
    if (missing.length > 0)
      fields.push({
        field: `groupMappings.${i}.roleKey`,
        message: `the mapping “${m.group}” → ${role.key} grants permissions you do not hold (${missing.join(", ")})`,
      });
  }
  if (fields.length > 0) {
    throw new AppError(
      "forbidden",
      `You cannot grant a role through SSO group mappings that you could not give directly: ${fields.map((f) => f.message).join("; ")}.`,
      { fields },
    );
  }
}

export async function updateSettings(
  p: Principal,
  input: UpdateSettingsInput,
  ctx: UseCaseContext & { resolveTxt?: TxtResolver } = {},
): Promise<SettingsDto> {
  requirePermission(p, "org.settings");
  const body = parseInput(UpdateSettingsBody, input);
  // DNS answers are awaited before the org's row is locked. Every listed domain not yet verified
  // is looked up: a new one must carry the org's record, an older unverified one becomes verified
  // once it does.
  let proven = new Set<string>();
  if (body.emailDomains) {
    const current = await db.for(p).admin.getSettings();
    if (!current) throw AppError.notFound("Organization");
    const unverified = body.emailDomains.filter((d) => !current.verifiedEmailDomains.includes(d));
    proven = await provenDomains(unverified, current.domainVerificationToken, ctx.resolveTxt);
  }
  const mappings: GroupMappingRecord[] | undefined = body.groupMappings?.map((m) => ({
    group: m.group,
    roleKey: m.roleKey ?? null,
    teamId: m.teamId ?? null,
  }));

  await db.for(p).admin.write(ctx.requestId, async (w) => {
    const before = await w.getSettings();
    const from: Record<string, unknown> = {};
    const to: Record<string, unknown> = {};
    const orgChange: {
      emailDomains?: string[];
      verifiedEmailDomains?: string[];
      devLoginEnabled?: boolean;
      auditContent?: "full" | "redacted" | "hashes";
      retentionDays?: number | null;
    } = {};

    const verified = body.emailDomains?.filter((d) => before.verifiedEmailDomains.includes(d) || proven.has(d));
    const verifiedChanged = verified !== undefined && !sameList(verified, before.verifiedEmailDomains, (a, b) => a === b);
    if (body.emailDomains && (verifiedChanged || !sameList(body.emailDomains, before.emailDomains, (a, b) => a === b))) {
      const added = body.emailDomains.filter((d) => !before.emailDomains.includes(d));
      const claimed = await w.domainsClaimedByOtherOrgs(added);
      if (claimed.length > 0) {
        throw new AppError(
          "conflict",
          `${claimed.join(", ")} ${claimed.length === 1 ? "is" : "are"} already used by another organization.`,
          {
            fields: claimed.map((d) => ({
              field: `emailDomains.${body.emailDomains!.indexOf(d)}`,
              message: "already used by another organization",
            })),
          },
        );
      }
      // An admin may claim a domain only by proving it (409 above first: taken is taken).
      const unproven = added.filter((d) => !proven.has(d));
      if (unproven.length > 0) {
        const record = verificationRecord(before.domainVerificationToken);
        throw new AppError(
          "validation_failed",
          `${unproven.join(", ")} ${unproven.length === 1 ? "is" : "are"} not verified: publish a DNS TXT record “${record}” at ${unproven.length === 1 ? "that domain" : "each"}, then save again.`,
          {
            fields: unproven.map((d) => ({
              field: `emailDomains.${body.emailDomains!.indexOf(d)}`,
              message: `not verified: publish the TXT record “${record}” at ${d}`,
            })),
          },
        );
      }
      from.emailDomains = before.emailDomains;
      to.emailDomains = orgChange.emailDomains = body.emailDomains;
      if (verifiedChanged) {
        from.verifiedEmailDomains = before.verifiedEmailDomains;
        to.verifiedEmailDomains = orgChange.verifiedEmailDomains = verified;
      }
    }

    if (body.devLoginEnabled !== undefined && body.devLoginEnabled !== before.devLoginEnabled) {
      from.devLoginEnabled = before.devLoginEnabled;
      to.devLoginEnabled = orgChange.devLoginEnabled = body.devLoginEnabled;
    }

    if (body.auditContent !== undefined && body.auditContent !== before.auditContent) {
      from.auditContent = before.auditContent;
      to.auditContent = orgChange.auditContent = body.auditContent;
    }

    if (body.retentionDays !== undefined && body.retentionDays !== before.retentionDays) {
      from.retentionDays = before.retentionDays;
      to.retentionDays = orgChange.retentionDays = body.retentionDays;
    }

    if (mappings && !sameList(mappings, before.groupMappings, sameMapping)) {
      const roleKeys = await w.listRoleKeys();
      const teamIds = await w.listTeamIds();
      const fields: Array<{ field: string; message: string }> = [];
      mappings.forEach((m, i) => {
        if (m.roleKey && !roleKeys.includes(m.roleKey))
          fields.push({
            field: `groupMappings.${i}.roleKey`,
            message: `no role “${m.roleKey}” in this organization`,
          });
        if (m.teamId && !teamIds.includes(m.teamId))
          fields.push({ field: `groupMappings.${i}.teamId`, message: "no such team in this organization" });
      });
      if (fields.length > 0) {
        throw new AppError(
          "validation_failed",
          `Invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
          { fields },
        );
      }
      await assertMappingsGrantable(w, p, mappings);
      await w.replaceGroupMappings(mappings);
      from.groupMappings = before.groupMappings;
      to.groupMappings = mappings;
    }

    if (Object.keys(orgChange).length > 0) await w.updateOrg(orgChange);
    if (Object.keys(to).length > 0)
      await w.audit("org.settings_changed", { type: "org", id: p.orgId }, { from, to });
  });
  return getSettings(p, {}, ctx);
}
