import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import { cliDatabase } from "@/lib/db/cli-testing";
import { MasterKeyMismatch, unsafeVerifyMasterKey } from "@/lib/db/keyring";
import { principalFor } from "@/lib/db/test-principals";
import { installDatabaseAt, seededUser } from "@/lib/db/testing";
import type { Database } from "@/lib/db/client";
import { addMemory, getPreferences, listMemories, recallMemories, updatePreferences } from "@/lib/memory/memories";
import { masterKeys } from "@/lib/privacy/encryption/master-key";

/**
 * `npm run keys:rotate` as an operator runs it, in a process of its own on the same database:
 * a new master key re-wraps the org keys, a new data key version is added, the data is
 * re-encrypted in batches with progress (plaintext from before encryption included), and
 * everything still reads through the app with the new master key alone. The old master key
 * alone is then refused, by name, and changes nothing.
 */
const cli = cliDatabase("keys");
const { kind } = cli;
const OLD = randomBytes(32).toString("base64");
const NEW = randomBytes(32).toString("base64");
const saved = { ...process.env };

async function withApp<T>(masterKey: string, body: (db: Database) => Promise<T>): Promise<T> {
  process.env.ENCLAVE_MASTER_KEY = masterKey;
  delete process.env.ENCLAVE_MASTER_KEY_PREVIOUS;
  resetEnvCache();
  const app = await installDatabaseAt(cli.location());
  try {
    return await body(app.db);
  } finally {
    await app.close();
  }
}

let memoryIds: string[] = [];

beforeAll(async () => {
  await cli.create();
  memoryIds = await withApp(OLD, async (db) => {
    const alice = principalFor(await seededUser(db, "alice@acme.test"));
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await addMemory(alice, { text: `Alice keeps the wombat ledger ${i}` })).id);
    await updatePreferences(alice, { language: "Wombatese" });
    // Written before encryption existed: plaintext, no blind index.
    const legacy = await db.prisma.memory.create({ data: { orgId: alice.orgId, userId: alice.userId, text: "Alice fed the legacy wombat", origin: "user" }, select: { id: true } });
    return [...made, legacy.id];
  });
}, 120_000);

afterAll(async () => {
  process.env = { ...saved };
  resetEnvCache();
  await cli.dispose();
});

describe(`npm run keys:rotate (${kind})`, () => {
  it("re-wraps under the new master key, adds a data key version and re-encrypts in batches, reporting progress", async () => {
    const r = cli.run("scripts/keys-rotate.ts", {
      args: ["--new-data-keys", "--reencrypt", "--batch-size", "2"],
      env: { ENCLAVE_MASTER_KEY: NEW, ENCLAVE_MASTER_KEY_PREVIOUS: OLD },
    });
    expect(r.out).toMatch(/re-wrapped \d+ org keys of \d+ orgs under master key/);
    expect(r.out).toMatch(/new content key: org \S+ now seals with version 2/);
    expect(r.out).toMatch(/…\s+Memory\.text of org \S+: 2\/4/);
    expect(r.out).toMatch(/re-encrypted Memory\.text: 4 values/);
    expect(r.status).toBe(0);

    await withApp(NEW, async (db) => {
      const alice = principalFor(await seededUser(db, "alice@acme.test"));
      const texts = await db.prisma.memory.findMany({ where: { userId: alice.userId }, select: { text: true } });
      expect(texts.every((m) => m.text.startsWith("enc1.2."))).toBe(true);
      expect((await listMemories(alice, {})).items.map((m) => m.id).sort()).toEqual([...memoryIds].sort());
      // The legacy memory now has a blind index: recall finds it by its words.
      expect((await recallMemories(alice, "legacy wombat")).map((m) => m.text)[0]).toBe("Alice fed the legacy wombat");
      expect((await getPreferences(alice)).language).toBe("Wombatese");
      const keys = await db.prisma.orgKey.findMany({ select: { masterKeyId: true } });
      expect(new Set(keys.map((k) => k.masterKeyId))).toEqual(new Set([masterKeys()[0]!.id]));
    });

    const start = cli.run("lib/db/__fixtures__/start-app.ts", { env: { ENCLAVE_MASTER_KEY: NEW } });
    expect(start.out).toMatch(/Enclave ready/);
    expect(start.status).toBe(0);

    // Run again: nothing left to do.
    const again = cli.run("scripts/keys-rotate.ts", { args: ["--reencrypt"], env: { ENCLAVE_MASTER_KEY: NEW } });
    expect(again.out).toMatch(/nothing to re-wrap/);
    expect(again.out).toMatch(/re-encrypted Memory\.text: 0 values/);
    expect(again.status).toBe(0);
  });

  it("the old master key alone is refused by name, and nothing is changed", async () => {
    const before = await withApp(NEW, (db) => db.prisma.orgKey.findMany({ orderBy: [{ orgId: "asc" }, { purpose: "asc" }, { version: "asc" }] }));
    const r = cli.run("scripts/keys-rotate.ts", { args: ["--reencrypt"], env: { ENCLAVE_MASTER_KEY: OLD } });
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/ENCLAVE_MASTER_KEY does not match this database/);
    await withApp(OLD, async () => {
      await expect(unsafeVerifyMasterKey()).rejects.toBeInstanceOf(MasterKeyMismatch);
    });
    // The server's own start-up refuses to serve, naming the variable, before touching anything.
    const start = cli.run("lib/db/__fixtures__/start-app.ts", { env: { ENCLAVE_MASTER_KEY: OLD, LOG_LEVEL: "silent" } });
    expect(start.out).toMatch(/Enclave cannot start: ENCLAVE_MASTER_KEY does not match this database/);
    expect(start.out).not.toMatch(/Enclave ready/);
    expect(start.status).toBe(1);
    const stored = await withApp(NEW, (db) => db.prisma.memory.findMany({ select: { text: true } }));
    expect(stored.every((m) => m.text.startsWith("enc1.2."))).toBe(true);
    const after = await withApp(NEW, (db) => db.prisma.orgKey.findMany({ orderBy: [{ orgId: "asc" }, { purpose: "asc" }, { version: "asc" }] }));
    expect(after).toEqual(before);
  });
});
