import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { resetEnvCache } from "@/lib/config/env";
import { unsafeCreateSession } from "@/lib/db/identity";
import { createTestDatabase, type TestDatabase, openRow } from "@/lib/db/testing";
import { loadApiRoutes, type ApiRoute as Route } from "./api-routes.testing";

/**
 * Text PostgreSQL cannot store (a NUL, an unpaired surrogate) must never turn into a 500. Every
 * route under app/api is called by an admin (who may use all of them) with such text in each
 * place it takes text: every path parameter, a set of query parameters, and every string of a
 * sample body. A route that takes a body must have a sample here, so a new one is covered.
 */
const SECRET = "unstorable-secret-unstorable-secret-0123";
const BAD = ["nul\u0000byte", "lone\uD800surrogate", "trail\uDC00ing", "\u0000"];
const QUERY_KEYS = ["q", "cursor", "from", "to", "user", "action", "conversation", "role", "teamId", "status", "sort", "limit", "format", "outcome"];

interface Ctx {
  conversation: string;
  team: string;
  role: string;
  danId: string;
}

/** A valid body for each route that takes one; each of its strings is replaced by bad text in turn. */
const SAMPLE_BODIES: Record<string, (c: Ctx) => unknown> = {
  "POST /api/chat": () => ({ id: randomUUID(), message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: "hello there" }] } }),
  "PATCH /api/conversations/[id]": () => ({ title: "Renamed" }),
  "POST /api/keys": () => ({ name: "my key", scopes: ["chat"] }),
  "POST /api/admin/teams": () => ({ name: `Team ${randomUUID().slice(0, 8)}` }),
  "PATCH /api/admin/teams/[id]": () => ({ name: `Renamed ${randomUUID().slice(0, 8)}` }),
  "POST /api/admin/roles": () => ({ key: `r-${randomUUID().slice(0, 8)}`, name: "Reviewer", description: "Reads things", permissions: ["chat.send"] }),
  "PATCH /api/admin/roles/[key]": () => ({ name: "Renamed", description: "Changed" }),
  "PATCH /api/admin/users/[id]": (c) => ({ role: "member", teamId: c.team }),
  "PUT /api/admin/limits/[scope]/[subject]": () => ({ userRpm: 100 }),
  "PATCH /api/admin/settings": () => ({ devLoginEnabled: true, groupMappings: [{ group: "engineers", roleKey: "member" }] }),
  "POST /api/v1/chat/completions": () => ({ model: "enclave", messages: [{ role: "user", content: "hello there", name: "me" }], metadata: { tag: "x" } }),
  "POST /api/admin/audit/verify": () => ({}),
  "POST /api/me/memories": () => ({ text: "Prefers metric units" }),
  "PATCH /api/me/memories/[id]": () => ({ text: "Prefers SI units" }),
  "PUT /api/me/preferences": () => ({ language: "English", tone: "concise" }),
  "POST /api/me/export": () => ({}),
  // Only poisoned variants are sent: an unknown scope is refused before anything is erased.
  "POST /api/me/erase": () => ({ scope: "content" }),
  "POST /api/admin/users/[id]/erase": () => ({ scope: "content" }),
  "PUT /api/admin/agents/[id]": () => ({ baseVersion: 0, instructions: "Be brief.", tier: "small", timeoutMs: 45_000, enabled: true, allowedRoles: ["member"], note: "a note" }),
  "POST /api/admin/agents/[id]/rollback": () => ({ toVersion: 0, baseVersion: 0 }),
};
/** Body-less by design (PUT of a membership, DELETE). */
const NO_BODY = /^(DELETE|PUT) /;

/** Every variant of `value` with one string leaf (or object key) replaced by `bad`. */
function poisoned(value: unknown, bad: string): unknown[] {
  if (typeof value === "string") return [bad];
  if (Array.isArray(value)) return value.flatMap((v, i) => poisoned(v, bad).map((p) => value.map((x, j) => (j === i ? p : x))));
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    return entries.flatMap(([k, v]) => poisoned(v, bad).map((p) => ({ ...value, [k]: p })));
  }
  return [];
}

let t: TestDatabase;
let routes: Route[];
let cookie: string;

async function context(): Promise<Ctx> {
  const acme = await t.db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } });
  const carol = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "carol@acme.test" } });
  const dan = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "dan@acme.test" } });
  const conversation = `c-${randomUUID()}`;
  await t.db.prisma.conversation.create({ data: { id: conversation, orgId: acme.id, userId: carol.id, title: "Mine" } });
  const team = await t.db.prisma.team.create({ data: { orgId: acme.id, name: `Scratch ${randomUUID().slice(0, 8)}` } });
  const role = await t.db.prisma.role.create({ data: { orgId: acme.id, key: `s-${randomUUID().slice(0, 8)}`, name: "Scratch", permissions: ["chat.send"] } });
  return { conversation, team: team.id, role: role.key, danId: dan.id };
}

function paramsFor(route: Route, c: Ctx): Record<string, string> {
  const names = [...route.path.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!);
  const valid: Record<string, string> = { id: route.path.includes("/teams/") ? c.team : route.path.includes("/users/") ? c.danId : route.path.includes("/agents/") ? "writing" : c.conversation, key: c.role, userId: c.danId };
  return Object.fromEntries(names.map((n) => [n, valid[n] ?? "x"]));
}

/** A path segment as a client would send it (a lone surrogate as the bytes of its CESU form). */
function segment(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return "%ED%A0%80";
  }
}

async function call(route: Route, params: Record<string, string>, query: Record<string, string>, body?: unknown): Promise<Response> {
  const url = new URL("http://localhost" + route.path.replace(/\[(\w+)\]/g, (_, k: string) => segment(params[k] ?? "x")));
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { cookie };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await route.handler(new Request(url, { method: route.method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), {
    params: Promise.resolve(params),
  });
  await res.text().catch(() => "");
  return res;
}

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  process.env.OFFLINE_MODEL_DELAY_MS = "0";
  resetEnvCache();
  t = await createTestDatabase();
  routes = await loadApiRoutes();
  const carol = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "carol@acme.test" } });
  const sid = `unstorable-${randomUUID()}`;
  await unsafeCreateSession({ id: sid, userId: carol.id, orgId: carol.orgId, provider: "dev", expiresAt: new Date(Date.now() + 3600_000) });
  cookie = `authjs.session-token=${await encode({ token: { sid, sub: carol.id }, secret: SECRET, salt: "authjs.session-token", maxAge: 3600 })}`;
}, 60_000);
afterAll(async () => t?.dispose());

describe(`NUL bytes and unpaired surrogates never give a 5xx (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("every route that takes a body has a sample body here", () => {
    const missing = routes.filter((r) => ["POST", "PUT", "PATCH"].includes(r.method) && !NO_BODY.test(r.key) && !SAMPLE_BODIES[r.key]);
    expect(missing.map((r) => r.key)).toEqual([]);
  });

  it("in path parameters, query parameters and every string of a body", { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    const check = (what: string, res: Response) => {
      if (res.status >= 500) failures.push(`${what}: ${res.status}`);
      else if (res.status >= 400 && !/json/.test(res.headers.get("content-type") ?? "")) failures.push(`${what}: ${res.status} without a JSON body`);
    };
    for (const route of routes) {
      const c = await context();
      const params = paramsFor(route, c);
      const sample = SAMPLE_BODIES[route.key]?.(c);
      for (const bad of BAD) {
        const label = JSON.stringify(bad);
        for (const name of Object.keys(params)) {
          check(`${route.key} with ${name}=${label}`, await call(route, { ...params, [name]: bad }, {}, sample));
        }
        if (route.method === "GET") {
          for (const k of QUERY_KEYS) check(`${route.key} ?${k}=${label}`, await call(route, params, { [k]: bad }));
        }
        if (sample !== undefined) {
          const variants = poisoned(sample, bad).length;
          for (let i = 0; i < variants; i++) {
            // Fresh resources and ids: one variant's rename or new conversation must not change the next's answer.
            const fresh = await context();
            const variant = poisoned(SAMPLE_BODIES[route.key]!(fresh), bad)[i];
            check(`${route.key} body ${JSON.stringify(variant)}`, await call(route, paramsFor(route, fresh), {}, variant));
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("a chat message keeps everything but what cannot be stored; a name with it is refused, naming the field", async () => {
    const route = routes.find((r) => r.key === "POST /api/chat")!;
    const id = randomUUID();
    const res = await call(route, {}, {}, { id, message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: "keep\u0000 this\uD800 text" }] } });
    expect(res.status).toBe(200);
    const stored = await openRow("Message", await t.db.prisma.message.findFirstOrThrow({ where: { conversationId: id, role: "user" } }));
    expect(stored.parts).toEqual([{ type: "text", text: "keep this\uFFFD text" }]);

    const keys = routes.find((r) => r.key === "POST /api/keys")!;
    const url = new URL("http://localhost/api/keys");
    const refused = await keys.handler(
      new Request(url, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ name: "bad\u0000name", scopes: ["chat"] }) }),
      { params: Promise.resolve({}) },
    );
    expect(refused.status).toBe(422);
    expect((await refused.json()).error.fields).toEqual([{ field: "name", message: expect.stringMatching(/NUL/) }]);
  });
});
