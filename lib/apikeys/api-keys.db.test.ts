import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "@/lib/auth/api-key-format";
import { principalForApiKey } from "@/lib/auth/principal";
import { createTestDatabase, seededUser, type TestDatabase } from "@/lib/db/testing";
import { principalFor } from "@/lib/db/test-principals";
import type { Principal } from "@/lib/principal";
import { createApiKey, listApiKeys, revokeApiKey } from "./index";

let t: TestDatabase;
let alice: Principal;
let dan: Principal; // same org, different user
let frank: Principal; // other org

beforeAll(async () => {
  t = await createTestDatabase();
  alice = principalFor(await seededUser(t.db, "alice@acme.test"), { sessionId: "alice-session" });
  dan = principalFor(await seededUser(t.db, "dan@acme.test"));
  frank = principalFor(await seededUser(t.db, "frank@globex.test"));
});
afterAll(async () => t?.dispose());

const rawKey = (id: string) => t.db.prisma.apiKey.findUnique({ where: { id } });
const auditFor = (id: string) =>
  t.db.prisma.auditEvent.findMany({ where: { targetId: id }, orderBy: { createdAt: "asc" }, select: { action: true, actorId: true, orgId: true, requestId: true, data: true } });

describe(`personal API keys (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("create shows the key once and stores only its SHA-256, with an audit event", async () => {
    const created = await createApiKey(alice, { name: "  laptop  ", scopes: ["chat"] }, { requestId: "req-create" });
    expect(created.key).toMatch(/^enc_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    expect(created).toMatchObject({ name: "laptop", scopes: ["chat"], expiresAt: null });

    const row = await rawKey(created.id);
    expect(row).toMatchObject({ userId: alice.userId, orgId: alice.orgId, prefix: created.prefix, hash: hashApiKey(created.key), revokedAt: null });
    // Nothing stored contains the key itself.
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(JSON.stringify(row)).not.toContain(created.key.slice(created.prefix.length + 1));

    const events = await auditFor(created.id);
    expect(events).toEqual([
      expect.objectContaining({ action: "apikey.created", actorId: alice.userId, orgId: alice.orgId, requestId: "req-create" }),
    ]);
    expect(JSON.stringify(events)).not.toContain(created.key);
    expect(JSON.stringify(events)).not.toContain(row!.hash);
  });

  it("sets an expiry from expiresInDays and stores scopes once each, in catalog order", async () => {
    const now = new Date("2030-01-01T00:00:00.000Z");
    const created = await createApiKey(alice, { name: "ci", scopes: ["read", "chat", "read"], expiresInDays: 30 }, { now });
    expect(created.scopes).toEqual(["chat", "read"]);
    expect(created.expiresAt).toBe("2030-01-31T00:00:00.000Z");
  });

  it("refuses bad input with 422 naming the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: "", scopes: ["chat"] }, "name"],
      [{ name: "x".repeat(101), scopes: ["chat"] }, "name"],
      [{ name: "k", scopes: [] }, "scopes"],
      [{ name: "k", scopes: ["admin"] }, "scopes.0"],
      [{ name: "k", scopes: ["chat"], expiresInDays: 0 }, "expiresInDays"],
      [{ name: "k", scopes: ["chat"], expiresInDays: 366 }, "expiresInDays"],
      [{ name: "k", scopes: ["chat"], expiresInDays: 1.5 }, "expiresInDays"],
    ];
    for (const [input, field] of cases) {
      await expect(createApiKey(alice, input as never)).rejects.toMatchObject({ code: "validation_failed", fields: [expect.objectContaining({ field })] });
    }
  });

  it("lists my keys newest first, never with a hash or the key", async () => {
    const a = await createApiKey(alice, { name: "first", scopes: ["read"] });
    await new Promise((r) => setTimeout(r, 5));
    const b = await createApiKey(alice, { name: "second", scopes: ["chat"] });
    const list = await listApiKeys(alice);
    const ids = list.map((k) => k.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    const item = list.find((k) => k.id === b.id)!;
    expect(Object.keys(item).sort()).toEqual(["createdAt", "expiresAt", "id", "lastUsedAt", "name", "prefix", "revokedAt", "scopes"]);
    const text = JSON.stringify(list);
    expect(text).not.toContain(b.key);
    expect(text).not.toContain(hashApiKey(b.key));
    // Nobody else sees them.
    expect((await listApiKeys(dan)).map((k) => k.id)).not.toContain(b.id);
    expect((await listApiKeys(frank)).map((k) => k.id)).not.toContain(b.id);
  });

  it("revokes my key, idempotently, with one audit event", async () => {
    const k = await createApiKey(alice, { name: "to revoke", scopes: ["chat"] });
    const first = await revokeApiKey(alice, k.id, { requestId: "req-revoke" });
    expect(first.revokedAt).not.toBeNull();
    const again = await revokeApiKey(alice, k.id);
    expect(again.revokedAt).toBe(first.revokedAt);
    expect((await listApiKeys(alice)).find((x) => x.id === k.id)?.revokedAt).toBe(first.revokedAt);
    const actions = (await auditFor(k.id)).map((e) => e.action);
    expect(actions).toEqual(["apikey.created", "apikey.revoked"]);
    expect(await principalForApiKey(k.key)).toBeNull();
  });

  it("someone else's key id is not found, and the key is unchanged and still works", async () => {
    const k = await createApiKey(alice, { name: "alice's", scopes: ["chat"] });
    const before = await rawKey(k.id);
    for (const other of [dan, frank]) {
      await expect(revokeApiKey(other, k.id)).rejects.toMatchObject({ code: "not_found", status: 404 });
    }
    await expect(revokeApiKey(alice, "no-such-key")).rejects.toMatchObject({ code: "not_found" });
    await expect(revokeApiKey(alice, "../../etc")).rejects.toMatchObject({ code: "not_found" });
    expect(await rawKey(k.id)).toEqual(before);
    expect((await auditFor(k.id)).map((e) => e.action)).toEqual(["apikey.created"]);
    expect((await principalForApiKey(k.key))?.userId).toBe(alice.userId);
  });

  describe("principalForApiKey", () => {
    it("resolves a live key to its owner, with permissions narrowed by its scopes", async () => {
      const chat = await createApiKey(alice, { name: "chat", scopes: ["chat"] });
      const read = await createApiKey(alice, { name: "read", scopes: ["read"] });
      const pc = await principalForApiKey(chat.key);
      expect(pc).toMatchObject({ userId: alice.userId, orgId: alice.orgId, via: "apikey", apiKeyId: chat.id });
      expect([...pc!.permissions].sort()).toEqual(["chat.send", "conversation.read.own", "conversation.write.own"]);
      const pr = await principalForApiKey(read.key);
      expect([...pr!.permissions]).toEqual(["conversation.read.own"]);
      expect(pr!.permissions.has("chat.send")).toBe(false);
      expect(pr!.permissions.has("conversation.write.own")).toBe(false);
      expect(pr!.permissions.has("apikey.manage.own")).toBe(false);
    });

    it("records the key's last use", async () => {
      const k = await createApiKey(alice, { name: "used", scopes: ["read"] });
      expect((await rawKey(k.id))?.lastUsedAt).toBeNull();
      await principalForApiKey(k.key);
      await expect.poll(async () => (await rawKey(k.id))?.lastUsedAt ?? null).not.toBeNull();
      expect((await listApiKeys(alice)).find((x) => x.id === k.id)?.lastUsedAt).not.toBeNull();
    });

    it("returns null for revoked, expired, unknown and malformed keys", async () => {
      const revoked = await createApiKey(alice, { name: "revoked", scopes: ["chat"] });
      await revokeApiKey(alice, revoked.id);
      const expired = await createApiKey(alice, { name: "expired", scopes: ["chat"], expiresInDays: 1 }, { now: new Date(Date.now() - 2 * 86_400_000) });
      const live = await createApiKey(alice, { name: "live", scopes: ["chat"], expiresInDays: 1 });
      expect(await principalForApiKey(live.key)).not.toBeNull();
      expect(await principalForApiKey(revoked.key)).toBeNull();
      expect(await principalForApiKey(expired.key)).toBeNull();
      // Well-formed but never issued.
      expect(await principalForApiKey(`${live.prefix}_${"A".repeat(43)}`)).toBeNull();
      for (const bad of ["", "garbage", live.key.slice(0, -1), `${live.key}x`, live.prefix, `Bearer ${live.key}`]) {
        expect(await principalForApiKey(bad)).toBeNull();
      }
    });

    it("returns null when the owner is deactivated, and works again when reactivated", async () => {
      const danKey = await createApiKey(dan, { name: "dan", scopes: ["chat"] });
      expect(await principalForApiKey(danKey.key)).not.toBeNull();
      await t.db.prisma.user.update({ where: { id: dan.userId }, data: { disabledAt: new Date() } });
      try {
        expect(await principalForApiKey(danKey.key)).toBeNull();
      } finally {
        await t.db.prisma.user.update({ where: { id: dan.userId }, data: { disabledAt: null } });
      }
      expect(await principalForApiKey(danKey.key)).not.toBeNull();
    });
  });

  describe("a key cannot manage keys", () => {
    it("refuses create, list and revoke through a key with 403, whatever its scopes", async () => {
      const k = await createApiKey(alice, { name: "agent", scopes: ["chat", "read"] });
      const viaKey = (await principalForApiKey(k.key))!;
      // Even a key principal that somehow held the permission is refused.
      const widened: Principal = { ...viaKey, permissions: new Set([...viaKey.permissions, "apikey.manage.own"]) };
      const before = await t.db.prisma.apiKey.count({ where: { userId: alice.userId } });
      for (const p of [viaKey, widened, principalFor(await seededUser(t.db, "alice@acme.test"), { apiKeyScopes: ["chat"] })]) {
        await expect(createApiKey(p, { name: "escalate", scopes: ["chat"] })).rejects.toMatchObject({
          code: "forbidden",
          status: 403,
          message: expect.stringMatching(/API keys cannot manage API keys/),
        });
        await expect(listApiKeys(p)).rejects.toMatchObject({ code: "forbidden" });
        await expect(revokeApiKey(p, k.id)).rejects.toMatchObject({ code: "forbidden" });
      }
      expect(await t.db.prisma.apiKey.count({ where: { userId: alice.userId } })).toBe(before);
      expect((await rawKey(k.id))?.revokedAt).toBeNull();
    });
  });
});
