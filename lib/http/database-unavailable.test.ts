import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { resetEnvCache } from "@/lib/config/env";
import { installUnreachableDatabase } from "@/lib/db/testing";
import { isDatabaseUnavailable } from "@/lib/db/prisma-errors";
import { generateApiKey } from "@/lib/auth/api-key-format";
import { GET as me } from "@/app/api/me/route";
import { GET as conversations } from "@/app/api/conversations/route";
import { POST as completions } from "@/app/api/v1/chat/completions/route";

/** A database nobody listens for: every query fails to connect (ECONNREFUSED). */
const SECRET = "unavailable-secret-unavailable-secret-01";
let down: { dispose(): Promise<void> };

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  resetEnvCache();
  down = await installUnreachableDatabase();
});
afterAll(async () => {
  await down?.dispose();
});

const ctx = { params: Promise.resolve({}) };

describe("the database is unavailable", () => {
  it("answers 503 with Retry-After and says the database is unavailable (session, API key, /v1)", async () => {
    const token = await encode({ token: { sid: "s1", sub: "u1" }, secret: SECRET, salt: "authjs.session-token", maxAge: 3600 });
    const cookie = `authjs.session-token=${token}`;
    const key = generateApiKey().key;
    for (const res of [
      await me(new Request("http://localhost/api/me", { headers: { cookie } }), ctx),
      await conversations(new Request("http://localhost/api/conversations", { headers: { authorization: `Bearer ${key}` } }), ctx),
    ]) {
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(res.headers.get("content-type")).toMatch(/json/);
      expect(await res.json()).toMatchObject({ error: { code: "unavailable", message: expect.stringMatching(/database is unavailable/) } });
    }
    const v1 = await completions(
      new Request("http://localhost/api/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "enclave", messages: [{ role: "user", content: "hi" }] }),
      }),
      ctx,
    );
    expect(v1.status).toBe(503);
    expect(v1.headers.get("retry-after")).not.toBeNull();
    expect((await v1.json()).error).toMatchObject({ type: "server_error", message: expect.stringMatching(/database is unavailable/) });
  });

  it("recognises connection failures however they are wrapped, and nothing else", () => {
    for (const e of [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("Can't reach database server"), { code: "P1001" }),
      Object.assign(new Error("Server has closed the connection."), { code: "P1017" }),
      Object.assign(new Error("raw query failed"), { code: "P2010", meta: { code: "57P01" } }),
      Object.assign(new Error("x"), { code: "P2010", meta: { driverAdapterError: { cause: { kind: "postgres", originalCode: "57P01" } } } }),
      Object.assign(new Error("x"), { meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } } }),
      new Error("wrapped", { cause: new Error("Connection terminated unexpectedly") }),
      new AggregateError([Object.assign(new Error("a"), { code: "ECONNREFUSED" })]),
    ]) {
      expect(isDatabaseUnavailable(e), String(e)).toBe(true);
    }
    for (const e of [
      Object.assign(new Error("unique"), { code: "P2002" }),
      Object.assign(new Error("x"), { code: "P2010", meta: { code: "22021" } }),
      new Error("something else"),
      null,
    ]) {
      expect(isDatabaseUnavailable(e), String(e)).toBe(false);
    }
  });
});
