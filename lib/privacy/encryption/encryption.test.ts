import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv, resetEnvCache } from "@/lib/config/env";
import { aeadOpen, aeadSeal, DecryptionError } from "./aead";
import { indexTerms, queryTerm, words } from "./blind-index";
import { ContentCipher, isSealed, sealedVersion, UnknownKeyVersion } from "./content-cipher";
import { decodeMasterKey, masterKeyId, masterKeys } from "./master-key";
import { highlight, matchedCount } from "./text-match";

const key = () => randomBytes(32);

function cipher(orgId = "org-a", versions: Array<[number, Buffer]> = [[1, key()]], index = key()): ContentCipher {
  const [version, k] = versions[versions.length - 1]!;
  return new ContentCipher({ orgId, current: { version, key: k }, byVersion: new Map(versions), index });
}

describe("AES-256-GCM", () => {
  it("round-trips, and a wrong key, other associated data or a changed byte throws instead of garbling", () => {
    const k = key();
    const sealed = aeadSeal(k, Buffer.from("the marker"), "org|ctx");
    expect(aeadOpen(k, sealed, "org|ctx").toString()).toBe("the marker");
    expect(sealed.includes(Buffer.from("the marker"))).toBe(false);
    // A fresh nonce every time: equal plaintexts do not give equal ciphertexts.
    expect(aeadSeal(k, Buffer.from("the marker"), "org|ctx").equals(sealed)).toBe(false);
    expect(() => aeadOpen(key(), sealed, "org|ctx")).toThrow(DecryptionError);
    expect(() => aeadOpen(k, sealed, "org|other")).toThrow(DecryptionError);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => aeadOpen(k, tampered, "org|ctx")).toThrow(DecryptionError);
    expect(() => aeadOpen(k, Buffer.alloc(5), "org|ctx")).toThrow(DecryptionError);
  });
});

describe("ContentCipher", () => {
  it("seals for a context: another owner's row, another column or another org does not open it", () => {
    const versions: Array<[number, Buffer]> = [[1, key()]];
    const index = key();
    const a = cipher("org-a", versions, index);
    const stored = a.seal("Quarterly budget", "Conversation.title:alice");
    expect(isSealed(stored)).toBe(true);
    expect(stored).not.toContain("budget");
    expect(sealedVersion(stored)).toBe(1);
    expect(a.open(stored, "Conversation.title:alice")).toBe("Quarterly budget");
    expect(() => a.open(stored, "Conversation.title:dan")).toThrow(DecryptionError);
    expect(() => a.open(stored, "Memory.text:alice")).toThrow(DecryptionError);
    expect(() => cipher("org-b", versions, index).open(stored, "Conversation.title:alice")).toThrow(DecryptionError);
  });

  it("JSON values, nulls, and plaintext from before encryption read as they are", () => {
    const c = cipher();
    const parts = [{ type: "text", text: "hello" }];
    const stored = c.sealJson(parts, "Message.parts:u");
    expect(typeof stored).toBe("string");
    expect(c.openJson(stored, "Message.parts:u")).toEqual(parts);
    expect(c.openJson(parts, "Message.parts:u")).toEqual(parts);
    expect(c.open("written before encryption", "Memory.text:u")).toBe("written before encryption");
    expect(c.sealNullable(null, "x")).toBeNull();
    expect(c.openNullable(c.sealNullable("formal", "x"), "x")).toBe("formal");
  });

  it("old key versions still open; a version the keyring lacks is UnknownKeyVersion (reload), not garbage", () => {
    const v1 = key();
    const old = cipher("org-a", [[1, v1]]).seal("sealed with v1", "c");
    const rotated = cipher("org-a", [[1, v1], [2, key()]]);
    expect(rotated.currentVersion).toBe(2);
    expect(rotated.open(old, "c")).toBe("sealed with v1");
    expect(sealedVersion(rotated.seal("new", "c"))).toBe(2);
    expect(() => cipher("org-a", [[1, v1]]).open(rotated.seal("new", "c"), "c")).toThrow(UnknownKeyVersion);
  });
});

describe("blind index", () => {
  it("keyed hashes of words and prefixes: the same words match, nothing readable is stored, other orgs' keys differ", () => {
    const k = key();
    const terms = indexTerms(k, "Prefers METRIC units; works on the Q3 launch.");
    expect(terms.join(" ")).not.toMatch(/metric|units|launch/i);
    expect(terms).toContain(queryTerm(k, "metric"));
    expect(terms).toContain(queryTerm(k, "unit")); // a prefix of "units"
    expect(terms).toContain(queryTerm(k, "q3")); // a short word: the word itself
    expect(terms).not.toContain(queryTerm(k, "metrics"));
    expect(terms).not.toContain(queryTerm(key(), "metric"));
    // Case, punctuation and order do not change a text's index.
    expect(indexTerms(k, "units metric")).toEqual(indexTerms(k, "Metric, UNITS!"));
    // Standard HMAC-SHA256 (the pre-keyed states are an optimisation, not a different MAC).
    expect(queryTerm(k, "metric")).toBe(createHmac("sha256", k).update("p:metric").digest().subarray(0, 12).toString("base64url"));
    expect(words("Ünïcode ＦＵＬＬ width, x")).toEqual(["ünïcode", "full", "width"]);
  });

  it("matching and highlighting on opened text follow the index's rule", () => {
    expect(matchedCount(["marketing", "budg"], "For the quarterly budget I set marketing at 42,000 euros.")).toBe(2);
    expect(matchedCount(["budgets"], "the budget")).toBe(0);
    expect(highlight("For the quarterly budget I set marketing at 42,000 euros.", ["budg"])).toBe("For the quarterly **budget** I set marketing at 42,000 euros.");
    const long = `${"word ".repeat(60)}needle ${"word ".repeat(60)}needle end`;
    expect(highlight(long, ["needle"])).toMatch(/^word .*\*\*needle\*\*.* … .*\*\*needle\*\* end$/);
  });
});

describe("master key", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetEnvCache();
  });

  it("ENCLAVE_MASTER_KEY must be 32 bytes of base64, or start-up names the variable", () => {
    expect(() => parseEnv({ ENCLAVE_MASTER_KEY: "too-short" })).toThrow(/ENCLAVE_MASTER_KEY.*32 random bytes/);
    expect(() => parseEnv({ ENCLAVE_MASTER_KEY: randomBytes(16).toString("base64") })).toThrow(/ENCLAVE_MASTER_KEY/);
    const good = randomBytes(32).toString("base64");
    expect(parseEnv({ ENCLAVE_MASTER_KEY: good }).ENCLAVE_MASTER_KEY).toBe(good);
    expect(decodeMasterKey(good)).toHaveLength(32);
  });

  it("unset in embedded mode: generated once into the data directory, private, and the same on every call", () => {
    const dir = mkdtempSync(join(tmpdir(), "enclave-mk-"));
    try {
      delete process.env.ENCLAVE_MASTER_KEY;
      process.env.ENCLAVE_DATA_DIR = dir;
      resetEnvCache();
      const [first] = masterKeys();
      expect(first!.source).toBe("generated");
      const file = join(dir, "master-key");
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(masterKeyId(decodeMasterKey(readFileSync(file, "utf8")))).toBe(first!.id);
      resetEnvCache();
      expect(masterKeys()[0]!.id).toBe(first!.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("during a rotation the process holds the new key first and the previous one second", () => {
    const next = randomBytes(32);
    const prev = randomBytes(32);
    process.env.ENCLAVE_MASTER_KEY = next.toString("base64");
    process.env.ENCLAVE_MASTER_KEY_PREVIOUS = prev.toString("base64url");
    resetEnvCache();
    expect(masterKeys().map((k) => [k.source, k.id])).toEqual([
      ["ENCLAVE_MASTER_KEY", masterKeyId(next)],
      ["ENCLAVE_MASTER_KEY_PREVIOUS", masterKeyId(prev)],
    ]);
  });
});
