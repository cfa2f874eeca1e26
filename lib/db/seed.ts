import { BUILT_IN_ROLES, BUILT_IN_ROLE_INFO } from "@/lib/authz/catalog";
import type { PrismaClient } from "./generated/client";
import { SYSTEM_ORG } from "./system-org";

/** Development and test fixtures: two orgs, each person in a role the product cares about. */
export const SEED_ORGS = [
  {
    slug: "acme",
    name: "Acme",
    emailDomains: ["acme.test"],
    teams: ["Sales", "Support"],
    users: [
      { email: "alice@acme.test", name: "Alice Adams", role: "member", team: "Sales" },
      { email: "dan@acme.test", name: "Dan Diaz", role: "member", team: "Support" },
      { email: "bob@acme.test", name: "Bob Brown", role: "manager", team: "Sales" },
      { email: "carol@acme.test", name: "Carol Chen", role: "admin", team: null },
      { email: "ivan@acme.test", name: "Ivan Ivanov", role: "auditor", team: null },
      // A spare member the e2e suite may deactivate without disturbing tests that use the others.
      { email: "heidi@acme.test", name: "Heidi Hall", role: "member", team: "Support" },
    ],
    // bob manages Sales (alice's team), not Support (dan's).
    managers: [{ email: "bob@acme.test", team: "Sales" }],
  },
  {
    slug: "globex",
    name: "Globex",
    emailDomains: ["globex.test"],
    teams: [] as string[],
    users: [
      { email: "erin@globex.test", name: "Erin Evans", role: "admin", team: null },
      { email: "frank@globex.test", name: "Frank Fischer", role: "member", team: null },
    ],
    managers: [] as Array<{ email: string; team: string }>,
  },
] as const;

export interface SeedResult {
  orgs: number;
  users: number;
}

/** Every org holds the built-in roles as rows, so that User.role is a checked reference. */
export async function ensureBuiltInRoles(prisma: PrismaClient, orgId: string): Promise<void> {
  for (const key of BUILT_IN_ROLES) {
    const info = BUILT_IN_ROLE_INFO[key];
    await prisma.role.upsert({
      where: { orgId_key: { orgId, key } },
      create: { orgId, key, name: info.name, description: info.description, builtIn: true, permissions: [] },
      update: { name: info.name, description: info.description, builtIn: true },
    });
  }
}

/** Idempotent: running it again updates the fixtures in place and creates nothing twice. */
export async function seedDatabase(prisma: PrismaClient): Promise<SeedResult> {
  let users = 0;
  for (const o of SEED_ORGS) {
    const org = await prisma.org.upsert({
      where: { slug: o.slug },
      // The operator's fixtures: their domains are verified by definition.
      create: { slug: o.slug, name: o.name, emailDomains: [...o.emailDomains], verifiedEmailDomains: [...o.emailDomains] },
      update: { name: o.name, emailDomains: [...o.emailDomains], verifiedEmailDomains: [...o.emailDomains] },
    });
    await ensureBuiltInRoles(prisma, org.id);
    const teamIds = new Map<string, string>();
    for (const name of o.teams) {
      const team = await prisma.team.upsert({
        where: { orgId_name: { orgId: org.id, name } },
        create: { orgId: org.id, name },
        update: {},
      });
      teamIds.set(name, team.id);
    }
    for (const u of o.users) {
      const teamId = u.team ? (teamIds.get(u.team) ?? null) : null;
      await prisma.user.upsert({
        where: { email: u.email },
        create: { email: u.email, name: u.name, role: u.role, orgId: org.id, teamId },
        update: { name: u.name, role: u.role, orgId: org.id, teamId },
      });
      users++;
    }
    for (const m of o.managers) {
      const user = await prisma.user.findUniqueOrThrow({ where: { email: m.email }, select: { id: true } });
      const teamId = teamIds.get(m.team)!;
      await prisma.teamManager.upsert({
        where: { teamId_userId: { teamId, userId: user.id } },
        create: { teamId, userId: user.id, orgId: org.id },
        update: {},
      });
    }
  }
  return { orgs: SEED_ORGS.length, users };
}

export async function isEmpty(prisma: PrismaClient): Promise<boolean> {
  // The system scope (audit events of no org) is not a sign that the database was set up.
  return (await prisma.org.count({ where: { id: { not: SYSTEM_ORG.id } } })) === 0;
}
