import type { Principal } from "@/lib/principal";
import { getPrisma } from "../database";

export interface Profile {
  id: string;
  email: string;
  name: string;
  role: string;
  team: { id: string; name: string } | null;
  org: { id: string; name: string; slug: string };
}

export function profileRepository(p: Principal) {
  return {
    /** The signed-in person as they see themselves: only their own row. */
    async get(): Promise<Profile | null> {
      const prisma = await getPrisma();
      return prisma.user.findFirst({
        where: { id: p.userId, orgId: p.orgId },
        select: {
          id: true,
          email: true,
          name: true,
          role: true,
          team: { select: { id: true, name: true } },
          org: { select: { id: true, name: true, slug: true } },
        },
      });
    },
  };
}
