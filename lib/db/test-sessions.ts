import { randomUUID } from "node:crypto";
import { principalForSession } from "@/lib/auth/principal";
import type { Principal } from "@/lib/principal";
import { unsafeCreateSession } from "./identity";
import type { Database } from "./client";

/**
 * A principal exactly as a signed-in request would get it: a real session row, resolved by the
 * same query the app uses (role permissions and managed teams from the database).
 */
export async function signedIn(db: Database, email: string): Promise<Principal> {
  const u = await db.prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true, orgId: true } });
  const sid = `test-${randomUUID()}`;
  await unsafeCreateSession({ id: sid, userId: u.id, orgId: u.orgId, provider: "dev", expiresAt: new Date(Date.now() + 3600_000) });
  const p = await principalForSession(sid);
  if (!p) throw new Error(`could not sign in ${email}`);
  return p;
}
