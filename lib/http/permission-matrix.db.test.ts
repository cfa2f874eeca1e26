import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { generateApiKey } from "@/lib/auth/api-key-format";
import {
  API_KEY_SCOPE_IDS,
  BUILT_IN_ROLES,
  type ApiKeyScope,
  type BuiltInRole,
  builtInPermissions,
  effectivePermissions,
  type Permission,
} from "@/lib/authz";
import { resetEnvCache } from "@/lib/config/env";
import { unsafeCreateSession } from "@/lib/db/identity";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { loadApiRoutes, type ApiRoute as Route } from "./api-routes.testing";

/**
 * The permission matrix, generated from the catalog: every route handler × every built-in role
 * (plus no credentials at all) → the status that role must get. A role holding the route's
 * permission gets the route's success status; one that lacks it gets 404 (403 where the route
 * reveals existence); nobody gets in without credentials. Every route must have a fixture here,
 * so a new route cannot skip the matrix.
 */
const SECRET = "matrix-secret-matrix-secret-matrix-secret";
const ROLE_USER: Record<BuiltInRole, string> = {
  member: "alice@acme.test",
  manager: "bob@acme.test",
  admin: "carol@acme.test",
  auditor: "ivan@acme.test",
};

interface Ctx {
  role: BuiltInRole;
  email: string;
  /** A conversation owned by the calling user. */
  ownConversation: string;
  /** An API key (id) owned by the calling user. */
  ownApiKey: string;
  /** Fresh, disposable admin-side resources in Acme (the org every role user belongs to). */
  scratchTeam: string;
  scratchRole: string;
  danId: string;
  bobId: string;
  /** A disposable member of Acme (an admin erases their content). */
  scratchUser: string;
  /** An audit event of Acme. */
  auditEventId: string;
  /** A memory of the calling user, and a finished export (its job id) of theirs. */
  ownMemory: string;
  ownExport: string;
}

interface Fixture {
  /** What the route must require: the matrix pins each route's declaration, not just its enforcement. */
  requires: Permission | "signed-in" | "public";
  params?: (c: Ctx) => Record<string, string>;
  body?: (c: Ctx) => unknown;
  /** Status when the role holds the permission. */
  ok: number;
}

const FIXTURES: Record<string, Fixture> = {
  "GET /api/health": { requires: "public", ok: 200 },
  "GET /api/metrics": { requires: "public", ok: 200 },
  "GET /api/me": { requires: "signed-in", ok: 200 },
  "GET /api/conversations": { requires: "conversation.read.own", ok: 200 },
  "GET /api/conversations/[id]": {
    requires: "conversation.read.own",
    params: (c) => ({ id: c.ownConversation }),
    ok: 200,
  },
  "PATCH /api/conversations/[id]": {
    requires: "conversation.write.own",
    params: (c) => ({ id: c.ownConversation }),
    body: () => ({ title: "Renamed" }),
    ok: 200,
  },
  "DELETE /api/conversations/[id]": {
    requires: "conversation.write.own",
    params: (c) => ({ id: c.ownConversation }),
    ok: 204,
  },
  "GET /api/conversations/[id]/messages": {
    requires: "conversation.read.own",
    params: (c) => ({ id: c.ownConversation }),
    ok: 200,
  },
  "POST /api/chat": {
    requires: "chat.send",
    body: () => ({
      id: randomUUID(),
      message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: "hello" }] },
    }),
    ok: 200,
  },
  "GET /api/keys": { requires: "apikey.manage.own", ok: 200 },
  "POST /api/keys": {
    requires: "apikey.manage.own",
    body: () => ({ name: "matrix", scopes: ["chat"] }),
    ok: 201,
  },
  "DELETE /api/keys/[id]": { requires: "apikey.manage.own", params: (c) => ({ id: c.ownApiKey }), ok: 204 },
  "GET /api/v1/models": { requires: "chat.send", ok: 200 },
  "GET /api/me/memories": { requires: "memory.manage.own", ok: 200 },
  "POST /api/me/memories": { requires: "memory.manage.own", body: () => ({ text: "Matrix memory" }), ok: 201 },
  "PATCH /api/me/memories/[id]": { requires: "memory.manage.own", params: (c) => ({ id: c.ownMemory }), body: () => ({ text: "Edited" }), ok: 200 },
  "DELETE /api/me/memories/[id]": { requires: "memory.manage.own", params: (c) => ({ id: c.ownMemory }), ok: 204 },
  "GET /api/me/preferences": { requires: "memory.manage.own", ok: 200 },
  "PUT /api/me/preferences": { requires: "memory.manage.own", body: () => ({ tone: "concise" }), ok: 200 },
  "GET /api/me/export": { requires: "data.export.own", ok: 200 },
  "POST /api/me/export": { requires: "data.export.own", ok: 202 },
  "GET /api/me/export/[id]": { requires: "data.export.own", params: (c) => ({ id: c.ownExport }), ok: 200 },
  // Past the permission the body is read: an unknown scope is refused before anything is erased
  // (a real erasure would race the fixtures this matrix creates for the caller).
  "POST /api/me/erase": { requires: "data.erase.own", body: () => ({ scope: "everything" }), ok: 422 },
  "POST /api/admin/users/[id]/erase": { requires: "user.manage", params: (c) => ({ id: c.scratchUser }), body: () => ({ scope: "content" }), ok: 202 },
  "GET /api/jobs/[id]": { requires: "signed-in", params: (c) => ({ id: c.ownExport }), ok: 200 },
  "GET /api/admin/people": { requires: "team.manage", ok: 200 },
  "GET /api/admin/users": { requires: "user.manage", ok: 200 },
  "GET /api/admin/users/[id]": { requires: "user.manage", params: (c) => ({ id: c.danId }), ok: 200 },
  "PATCH /api/admin/users/[id]": {
    requires: "user.manage",
    params: (c) => ({ id: c.danId }),
    body: () => ({ role: "member" }),
    ok: 200,
  },
  "GET /api/admin/teams": { requires: "team.manage", ok: 200 },
  "POST /api/admin/teams": {
    requires: "team.manage",
    body: () => ({ name: `Matrix ${randomUUID().slice(0, 8)}` }),
    ok: 201,
  },
  "PATCH /api/admin/teams/[id]": {
    requires: "team.manage",
    params: (c) => ({ id: c.scratchTeam }),
    body: () => ({ name: `Renamed ${randomUUID().slice(0, 8)}` }),
    ok: 200,
  },
  "DELETE /api/admin/teams/[id]": {
    requires: "team.manage",
    params: (c) => ({ id: c.scratchTeam }),
    ok: 204,
  },
  "GET /api/admin/teams/[id]/members": {
    requires: "team.manage",
    params: (c) => ({ id: c.scratchTeam }),
    ok: 200,
  },
  "PUT /api/admin/teams/[id]/members/[userId]": {
    requires: "team.manage",
    params: (c) => ({ id: c.scratchTeam, userId: c.danId }),
    ok: 200,
  },
  "DELETE /api/admin/teams/[id]/members/[userId]": {
    requires: "team.manage",
    params: (c) => ({ id: c.scratchTeam, userId: c.danId }),
    ok: 204,
  },
  "PUT /api/admin/teams/[id]/managers/[userId]": {
    requires: "team.manage",
    params: (c) => ({ id: c.scratchTeam, userId: c.bobId }),
    ok: 200,
  },
  "DELETE /api/admin/teams/[id]/managers/[userId]": {
    requires: "team.manage",
    params: (c) => ({ id: c.scratchTeam, userId: c.bobId }),
    ok: 204,
  },
  "GET /api/admin/roles": { requires: "role.manage", ok: 200 },
  "POST /api/admin/roles": {
    requires: "role.manage",
    body: () => ({ key: `m-${randomUUID().slice(0, 8)}`, name: "Matrix", permissions: ["chat.send"] }),
    ok: 201,
  },
  "PATCH /api/admin/roles/[key]": {
    requires: "role.manage",
    params: (c) => ({ key: c.scratchRole }),
    body: () => ({ name: "Renamed" }),
    ok: 200,
  },
  "DELETE /api/admin/roles/[key]": {
    requires: "role.manage",
    params: (c) => ({ key: c.scratchRole }),
    ok: 204,
  },
  "GET /api/admin/settings": { requires: "org.settings", ok: 200 },
  "PATCH /api/admin/settings": { requires: "org.settings", body: () => ({ devLoginEnabled: true }), ok: 200 },
  "GET /api/admin/models": { requires: "org.settings", ok: 200 },
  "GET /api/admin/agents": { requires: "agent.edit", ok: 200 },
  "GET /api/admin/agents/[id]": { requires: "agent.edit", params: () => ({ id: "writing" }), ok: 200 },
  // Each succeeds once per run (the admin's call): the first save of writing, a rollback of calculation to its default.
  "PUT /api/admin/agents/[id]": {
    requires: "agent.edit",
    params: () => ({ id: "writing" }),
    body: () => ({ baseVersion: 0, instructions: "Matrix", tier: "small", timeoutMs: 45_000, enabled: true, allowedRoles: [] }),
    ok: 200,
  },
  "POST /api/admin/agents/[id]/rollback": {
    requires: "agent.edit",
    params: () => ({ id: "calculation" }),
    body: () => ({ toVersion: 0, baseVersion: 0 }),
    ok: 200,
  },
  "GET /api/admin/limits": { requires: "budget.manage", ok: 200 },
  "PUT /api/admin/limits/[scope]/[subject]": {
    requires: "budget.manage",
    params: (c) => ({ scope: "team", subject: c.scratchTeam }),
    body: () => ({ userRpm: 100 }),
    ok: 200,
  },
  "DELETE /api/admin/limits/[scope]/[subject]": {
    requires: "budget.manage",
    params: (c) => ({ scope: "team", subject: c.scratchTeam }),
    ok: 204,
  },
  // Usage: admins and auditors see the org, a manager their teams (bob manages Sales); scope in lib/usage.
  "GET /api/me/usage": { requires: "chat.send", ok: 200 },
  "GET /api/admin/usage": { requires: "usage.read.team", ok: 200 },
  "GET /api/admin/usage/export.csv": { requires: "usage.read.team", ok: 200 },
  "GET /api/admin/budgets": { requires: "budget.manage", ok: 200 },
  "PUT /api/admin/budgets/[scope]/[subject]": {
    requires: "budget.manage",
    params: (c) => ({ scope: "team", subject: c.scratchTeam }),
    body: () => ({ limitUsd: 100, period: "month" }),
    ok: 200,
  },
  "DELETE /api/admin/budgets/[scope]/[subject]": {
    requires: "budget.manage",
    params: (c) => ({ scope: "team", subject: c.scratchTeam }),
    ok: 204,
  },
  "GET /api/admin/audit/events": { requires: "audit.read", ok: 200 },
  "GET /api/admin/audit/events/[id]": {
    requires: "audit.read",
    params: (c) => ({ id: c.auditEventId }),
    ok: 200,
  },
  "GET /api/admin/audit/export": { requires: "audit.read", ok: 200 },
  "POST /api/admin/audit/verify": { requires: "audit.read", ok: 200 },
  "GET /api/admin/audit/checkpoints": { requires: "audit.read", ok: 200 },
  "POST /api/v1/chat/completions": {
    requires: "chat.send",
    body: () => ({ model: "enclave", messages: [{ role: "user", content: "hello" }] }),
    ok: 200,
  },
};

function expected(route: Route, role: BuiltInRole | null, ok: number, apiKeyScope?: ApiKeyScope): number {
  const access = route.handler.access;
  if (access.kind === "public") return ok;
  if (role === null) return 401;
  if (access.permission === "signed-in") return ok;
  const needs = typeof access.permission === "string" ? [access.permission] : access.permission;
  const permissions = apiKeyScope
    ? effectivePermissions({ role, customRolePermissions: [], apiKeyScopes: [apiKeyScope] })
    : builtInPermissions(role);
  const held = needs.some((p) => permissions.has(p));
  return held ? ok : access.reveal ? 403 : 404;
}

let t: TestDatabase;
let routes: Route[];
const cookies = new Map<BuiltInRole, string>();

async function sessionCookie(email: string): Promise<string> {
  const u = await t.db.prisma.user.findUniqueOrThrow({ where: { email } });
  const sid = `matrix-${randomUUID()}`;
  await unsafeCreateSession({
    id: sid,
    userId: u.id,
    orgId: u.orgId,
    provider: "dev",
    expiresAt: new Date(Date.now() + 3600_000),
  });
  const token = await encode({
    token: { sid, sub: u.id },
    secret: SECRET,
    salt: "authjs.session-token",
    maxAge: 3600,
  });
  return `authjs.session-token=${token}`;
}

async function ownConversation(email: string): Promise<string> {
  const u = await t.db.prisma.user.findUniqueOrThrow({ where: { email } });
  const id = `matrix-${randomUUID()}`;
  await t.db.prisma.conversation.create({ data: { id, orgId: u.orgId, userId: u.id, title: "Matrix" } });
  return id;
}

/** A real, live key of this user with one scope: the full key, to send as a Bearer token. */
async function liveApiKey(email: string, scope: ApiKeyScope): Promise<string> {
  const u = await t.db.prisma.user.findUniqueOrThrow({ where: { email } });
  const { key, prefix, hash } = generateApiKey();
  await t.db.prisma.apiKey.create({ data: { orgId: u.orgId, userId: u.id, name: `matrix ${scope}`, prefix, hash, scopes: [scope] } });
  return key;
}

async function ownApiKey(email: string): Promise<string> {
  const u = await t.db.prisma.user.findUniqueOrThrow({ where: { email } });
  const k = await t.db.prisma.apiKey.create({
    data: {
      orgId: u.orgId,
      userId: u.id,
      name: "matrix",
      prefix: `enc_${randomUUID().slice(0, 8)}`,
      hash: randomUUID(),
      scopes: ["chat"],
    },
  });
  return k.id;
}

/** A memory and a finished, unexpired export of this user. */
async function ownPersonalData(email: string): Promise<Pick<Ctx, "ownMemory" | "ownExport">> {
  const u = await t.db.prisma.user.findUniqueOrThrow({ where: { email } });
  const m = await t.db.prisma.memory.create({ data: { orgId: u.orgId, userId: u.id, text: "Matrix", origin: "user" } });
  const job = await t.db.prisma.backgroundJob.create({
    data: { orgId: u.orgId, userId: u.id, startedById: u.id, kind: "data.export", status: "done", progress: 100, payload: {} },
  });
  await t.db.prisma.dataExport.create({
    data: { orgId: u.orgId, userId: u.id, jobId: job.id, archive: "{}", bytes: 2, expiresAt: new Date(Date.now() + 3600_000) },
  });
  return { ownMemory: m.id, ownExport: job.id };
}

async function adminScratch(): Promise<
  Pick<Ctx, "scratchTeam" | "scratchRole" | "danId" | "bobId" | "scratchUser" | "auditEventId">
> {
  const acme = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  const team = await t.db.prisma.team.create({
    data: { orgId: acme.id, name: `Scratch ${randomUUID().slice(0, 8)}` },
  });
  const role = await t.db.prisma.role.create({
    data: {
      orgId: acme.id,
      key: `s-${randomUUID().slice(0, 8)}`,
      name: "Scratch",
      permissions: ["chat.send"],
    },
  });
  const [dan, bob] = await Promise.all(
    ["dan@acme.test", "bob@acme.test"].map((email) =>
      t.db.prisma.user.findUniqueOrThrow({ where: { email } }),
    ),
  );
  const event = await t.db.prisma.auditEvent.create({
    data: { orgId: acme.id, actorId: null, action: "team.created", targetType: "team", targetId: team.id },
  });
  return {
    scratchTeam: team.id,
    scratchRole: role.key,
    danId: dan!.id,
    bobId: bob!.id,
    scratchUser: (await t.db.prisma.user.create({ data: { orgId: acme.id, email: `scratch-${randomUUID().slice(0, 8)}@acme.test`, name: "Scratch Person" } })).id,
    auditEventId: event.id,
  };
}

async function call(
  route: Route,
  fixture: Fixture,
  ctx: Ctx | null,
  cookie: string | null,
  authorization?: string,
): Promise<Response> {
  const params =
    ctx && fixture.params
      ? fixture.params(ctx)
      : Object.fromEntries([...route.path.matchAll(/\[(\w+)\]/g)].map((m) => [m[1]!, "x"]));
  const url =
    "http://localhost" +
    route.path.replace(/\[(\w+)\]/g, (_, k: string) => encodeURIComponent(params[k] ?? "x"));
  const body =
    ctx && fixture.body
      ? JSON.stringify(fixture.body(ctx))
      : fixture.body
        ? JSON.stringify(
            fixture.body({
              role: "member",
              email: "",
              ownConversation: "x",
              ownApiKey: "x",
              scratchTeam: "x",
              scratchRole: "x",
              danId: "x",
              bobId: "x",
              scratchUser: "x",
              auditEventId: "x",
              ownMemory: "x",
              ownExport: "x",
            }),
          )
        : undefined;
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (authorization) headers.authorization = authorization;
  if (body) headers["content-type"] = "application/json";
  const res = await route.handler(new Request(url, { method: route.method, headers, body }), {
    params: Promise.resolve(params),
  });
  // Streams (chat) must run to the end so the turn settles before the database goes away.
  await res.text();
  return res;
}

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  process.env.OFFLINE_MODEL_DELAY_MS = "0";
  resetEnvCache();
  t = await createTestDatabase();
  routes = await loadApiRoutes();
  for (const role of BUILT_IN_ROLES) cookies.set(role, await sessionCookie(ROLE_USER[role]));
}, 60_000);
afterAll(async () => t?.dispose());

describe(`permission matrix: every route × every built-in role (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("every route has a fixture", () => {
    expect(routes.length).toBeGreaterThan(5);
    expect(routes.map((r) => r.key).filter((k) => !FIXTURES[k])).toEqual([]);
  });

  it("each route requires what this matrix says it does", () => {
    const wrong = routes
      .filter((r) => FIXTURES[r.key])
      .map((r) => {
        const a = r.handler.access;
        const declared =
          a.kind === "public"
            ? "public"
            : typeof a.permission === "string"
              ? a.permission
              : a.permission.join("|");
        return declared === FIXTURES[r.key]!.requires
          ? null
          : `${r.key}: declares ${declared}, matrix says ${FIXTURES[r.key]!.requires}`;
      })
      .filter(Boolean);
    expect(wrong).toEqual([]);
  });

  it("each role gets exactly what the catalog gives it", { timeout: 120_000 }, async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const fixture = FIXTURES[route.key];
      if (!fixture) continue;
      for (const role of [...BUILT_IN_ROLES, null] as const) {
        const email = role ? ROLE_USER[role] : "";
        const ctx: Ctx | null = role
          ? {
              role,
              email,
              ownConversation: await ownConversation(email),
              ownApiKey: await ownApiKey(email),
              ...(await adminScratch()),
              ...(await ownPersonalData(email)),
            }
          : null;
        const res = await call(route, fixture, ctx, role ? cookies.get(role)! : null);
        const want = expected(route, role, fixture.ok);
        if (res.status !== want)
          mismatches.push(`${route.key} as ${role ?? "anonymous"}: got ${res.status}, want ${want}`);
        if (res.status >= 400) {
          expect(res.headers.get("content-type"), `${route.key} error body is JSON`).toMatch(/json/);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("each API key scope narrows its owner's role exactly as the catalog says; a refusal changes nothing", { timeout: 120_000 }, async () => {
    // The owner is an admin, who holds every permission a scope names: what a key may not do is the scope's doing.
    const role: BuiltInRole = "admin";
    const email = ROLE_USER[role];
    const mismatches: string[] = [];
    for (const scope of API_KEY_SCOPE_IDS) {
      const key = await liveApiKey(email, scope);
      for (const route of routes) {
        const fixture = FIXTURES[route.key];
        if (!fixture) continue;
        const ctx: Ctx = { role, email, ownConversation: await ownConversation(email), ownApiKey: await ownApiKey(email), ...(await adminScratch()), ...(await ownPersonalData(email)) };
        const res = await call(route, fixture, ctx, null, `Bearer ${key}`);
        const want = expected(route, role, fixture.ok, scope);
        if (res.status !== want) mismatches.push(`${route.key} with a "${scope}" key: got ${res.status}, want ${want}`);
        if (res.status >= 400) {
          expect(res.headers.get("content-type"), `${route.key} error body is JSON`).toMatch(/json/);
          const conversation = await t.db.prisma.conversation.findUnique({ where: { id: ctx.ownConversation } });
          expect(conversation?.title, `${route.key} refused to a "${scope}" key left the conversation as it was`).toBe("Matrix");
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
