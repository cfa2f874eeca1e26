import { randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import type { TestDatabase } from "@/lib/db/testing";
import { unsafeCreateSession } from "@/lib/db/identity";

/**
 * Tests only: calls a route handler as a signed-in user (a real session row and session cookie,
 * resolved by the app's own code). AUTH_SECRET is set for the test's process if it is not.
 */
export const TEST_AUTH_SECRET = "limits-test-secret-limits-test-secret-0";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export function withRequestPrincipalForTests(database: () => TestDatabase["db"]) {
  process.env.AUTH_SECRET ??= TEST_AUTH_SECRET;
  const cookies = new Map<string, string>();
  const cookieFor = async (email: string) => {
    const hit = cookies.get(email);
    if (hit) return hit;
    const u = await database().prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true, orgId: true } });
    const sid = `limits-${randomUUID()}`;
    await unsafeCreateSession({ id: sid, userId: u.id, orgId: u.orgId, provider: "dev", expiresAt: new Date(Date.now() + 3600_000) });
    const token = await encode({ token: { sid, sub: u.id }, secret: process.env.AUTH_SECRET!, salt: "authjs.session-token", maxAge: 3600 });
    const cookie = `authjs.session-token=${token}`;
    cookies.set(email, cookie);
    return cookie;
  };
  return async (email: string, handler: Handler, url: string, params: Record<string, string>, init: RequestInit = {}): Promise<Response> => {
    const headers: Record<string, string> = { cookie: await cookieFor(email) };
    if (init.body) headers["content-type"] = "application/json";
    return handler(new Request(url, { ...init, headers }), { params: Promise.resolve(params) });
  };
}
