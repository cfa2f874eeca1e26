import type { Principal } from "@/lib/principal";
import type { UserRecord } from "./types";

export function principalFor(u: UserRecord, sessionId = "test-session"): Principal {
  return { userId: u.id, orgId: u.orgId, role: u.role, teamId: u.teamId, sessionId, email: u.email, name: u.name };
}
