/**
 * Email domains the operator vouches for (ENCLAVE_ORG_DOMAINS), applied at start-up: system
 * work, not done for a principal. The operator's word wins: such a domain is claimed and verified
 * for its org, and taken off any other org that claimed it. Each change is an audit event of the
 * org it changes, by the system.
 */
import { writeAudit } from "./audit";
import { getPrisma } from "./database";

export async function unsafeApplyOperatorDomains(map: Record<string, string[]>): Promise<{ changed: string[]; unknownOrgs: string[] }> {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    // The same lock the admin console takes to check a domain is unclaimed.
    await tx.$queryRaw`SELECT 1 AS "locked" FROM (SELECT pg_advisory_xact_lock(hashtext('enclave:org-email-domains'))) AS l`;
    const changed: string[] = [];
    const unknownOrgs: string[] = [];
    const record = async (orgId: string, from: Record<string, string[]>, to: Record<string, string[]>) => {
      await writeAudit(tx, { orgId, actorId: null, action: "org.settings_changed", target: { type: "org", id: orgId }, data: { via: "ENCLAVE_ORG_DOMAINS", from, to } });
    };
    for (const [slug, domains] of Object.entries(map)) {
      const org = await tx.org.findUnique({ where: { slug }, select: { id: true, emailDomains: true, verifiedEmailDomains: true } });
      if (!org) {
        unknownOrgs.push(slug);
        continue;
      }
      const others = await tx.org.findMany({
        where: { id: { not: org.id }, emailDomains: { hasSome: domains } },
        select: { id: true, slug: true, emailDomains: true, verifiedEmailDomains: true },
      });
      for (const o of others) {
        const emailDomains = o.emailDomains.filter((d) => !domains.includes(d));
        const verifiedEmailDomains = o.verifiedEmailDomains.filter((d) => !domains.includes(d));
        await tx.org.update({ where: { id: o.id }, data: { emailDomains, verifiedEmailDomains }, select: { id: true } });
        await record(o.id, { emailDomains: o.emailDomains, verifiedEmailDomains: o.verifiedEmailDomains }, { emailDomains, verifiedEmailDomains });
        changed.push(o.slug);
      }
      const emailDomains = [...new Set([...org.emailDomains, ...domains])];
      const verifiedEmailDomains = [...new Set([...org.verifiedEmailDomains, ...domains])];
      if (emailDomains.length !== org.emailDomains.length || verifiedEmailDomains.length !== org.verifiedEmailDomains.length) {
        await tx.org.update({ where: { id: org.id }, data: { emailDomains, verifiedEmailDomains }, select: { id: true } });
        await record(org.id, { emailDomains: org.emailDomains, verifiedEmailDomains: org.verifiedEmailDomains }, { emailDomains, verifiedEmailDomains });
        changed.push(slug);
      }
    }
    return { changed, unknownOrgs };
  });
}
