import { describe, expect, it } from "vitest";
import { contentFor, maskSecrets, maskSecretsDeep, redactPersonalData } from "./redact";

const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n-----END RSA PRIVATE KEY-----";

describe("redaction masks what it should", () => {
  it("secrets of every kind, under every policy", () => {
    const cases = [
      "enc_AbCd1234_abcdefghijklmnopqrstuvwxyz0123456789",
      "sk-proj-abcdefghijklmnop1234",
      "ghp_abcdefghijklmnopqrstuvwxyz0123",
      "xoxb-1234567890-abcdef",
      "AKIAIOSFODNN7EXAMPLE",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
      JWT,
      PEM,
    ];
    for (const secret of cases) {
      expect(maskSecrets(`before ${secret} after`), secret).toBe("before [secret] after");
      for (const policy of ["full", "redacted"] as const) expect(contentFor(policy, `x ${secret}`)).toBe("x [secret]");
    }
    expect(contentFor("hashes", `x ${JWT}`)).toBeUndefined();
  });

  it("a JWT inside a run of token characters keeps the run's head; a JWT after a word character is no JWT", () => {
    expect(maskSecrets(`jwt-${JWT}`)).toBe("jwt-[secret]");
    expect(maskSecrets(`a-eyJ-b-${JWT}`)).toBe("a-[secret]");
    expect(maskSecrets(`x${JWT}`)).toBe(`x${JWT}`);
    expect(maskSecrets(`${JWT}.${JWT}`)).toBe("[secret].[secret]");
    expect(maskSecrets("eyJshort.eyJshort.x")).toBe("eyJshort.eyJshort.x");
  });

  it("private keys: each BEGIN…END block, and a BEGIN without an END is left alone", () => {
    expect(maskSecrets(`a ${PEM} b ${PEM.replace(/RSA /g, "")} c`)).toBe("a [secret] b [secret] c");
    const open = "-----BEGIN PRIVATE KEY-----\nMIIE…";
    expect(maskSecrets(`${open} then ${PEM}`)).toBe("[secret]");
    expect(maskSecrets(open)).toBe(open);
  });

  it("labelled secrets keep their label", () => {
    expect(maskSecrets("Authorization: Bearer abcdef123456")).toBe("Authorization: [secret]");
    expect(maskSecrets('{"password": "hunter22"}')).toBe('{"password": "[secret]"}');
    expect(maskSecrets("api_key=abcd1234 and token abcdefgh")).toBe("api_key=[secret] and token [secret]");
  });

  it("emails and card numbers (Luhn-valid only) under 'redacted'", () => {
    expect(redactPersonalData("mail bob.smith+x@mail.example.com now")).toBe("mail [email] now");
    expect(redactPersonalData("<carol@acme.test>, dan@acme.co.uk.")).toBe("<[email]>, [email].");
    expect(redactPersonalData("a.b.c.d not an email; x@y is not either")).toBe("a.b.c.d not an email; x@y is not either");
    expect(redactPersonalData("card 4111 1111 1111 1111, not 4111 1111 1111 1112")).toBe("card [card], not 4111 1111 1111 1112");
    expect(contentFor("redacted", "bob@acme.test paid with 4111-1111-1111-1111")).toBe("[email] paid with [card]");
    expect(contentFor("full", "bob@acme.test")).toBe("bob@acme.test");
  });

  it("structured values: every string, at any depth", () => {
    expect(maskSecretsDeep({ a: [`k ${JWT}`], b: { c: "password=hunter22" }, n: 3 })).toEqual({
      a: ["k [secret]"],
      b: { c: "password=[secret]" },
      n: 3,
    });
  });
});

/**
 * Every pattern must run in linear time: these functions see whatever a user, a model or a log
 * line holds. Each case is 32 KB crafted to make a backtracking pattern restart at every position
 * and scan to the end. Measured on this machine, before the patterns were made linear: the email
 * cases ≈ 1.0–1.4 s, the JWT case ≈ 0.7 s; after: ≤ 2 ms each. The bound leaves room for a slow,
 * loaded machine.
 */
const KB32 = 32 * 1024;
const BOUND_MS = 150;
const fill = (unit: string, n = KB32) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

const ADVERSARIAL: Record<string, string> = {
  "email: a.a.a…@b.b.b…": `${fill("a.", KB32 / 2)}@${fill("b.", KB32 / 2 - 1)}`,
  "email: a.a.a… (no @)": fill("a."),
  "email: 1-1-1-…": fill("1-"),
  "email: a@a@a@…": fill("a@"),
  "jwt: eyJ-eyJ-…": fill("eyJ-"),
  "jwt: eyJaaaaaaaaaa.…": fill("eyJaaaaaaaaaaa."),
  "private key: BEGIN lines, no END": fill("-----BEGIN PRIVATE KEY-----\n"),
  "private key: BEGIN [A-Z ]…": `-----BEGIN ${fill("A ", KB32 - 11)}`,
  "labelled: token + spaces": fill("token      "),
  "labelled: password + whitespace": `password${" ".repeat(KB32 - 9)}a`,
  "labelled: bearer bearer…": fill("bearer "),
  "card: 1 1 1…": fill("1 "),
  "card: digits": fill("1"),
  "sk-sk-…": fill("sk-"),
  "enc_…": fill("enc_aaaaaaaa_"),
  "xoxb-…": fill("xoxb-"),
  "ghp_…": fill("ghp_"),
  "AKIA…": fill("AKIA"),
  "AIza-…": fill("AIza-"),
};

function timed(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

describe("redaction runs in linear time", () => {
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(`32 KB of adversarial input: ${name}`, () => {
      expect(text.length).toBeGreaterThanOrEqual(KB32 - 1);
      expect(timed(() => maskSecrets(text)), "maskSecrets (ms)").toBeLessThan(BOUND_MS);
      expect(timed(() => redactPersonalData(text)), "redactPersonalData (ms)").toBeLessThan(BOUND_MS);
      expect(timed(() => contentFor("redacted", text)), "contentFor (ms)").toBeLessThan(BOUND_MS);
    });
  }

  it("private keys: BEGIN lines with no END stay linear at 256 KB (the old lazy regex took ≈ 1.4 s)", () => {
    const H = "-----BEGIN PRIVATE KEY-----";
    const text = `${fill(H, 128 * 1024)}${fill(`-----END ${"A".repeat(40)}`, 128 * 1024)}`;
    expect(timed(() => maskSecrets(text))).toBeLessThan(BOUND_MS);
  });
});
