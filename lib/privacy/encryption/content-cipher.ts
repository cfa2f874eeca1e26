import { aeadOpen, aeadSeal } from "./aead";
import { BlindIndex } from "./blind-index";

/** Stored ciphertexts look like `enc1.<key version>.<base64url(nonce ‖ tag ‖ ciphertext)>`. */
const PREFIX = "enc1.";

export function isSealed(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

/** The key version a stored value was sealed with; null for plaintext written before encryption. */
export function sealedVersion(value: unknown): number | null {
  if (!isSealed(value)) return null;
  const v = Number(value.slice(PREFIX.length, value.indexOf(".", PREFIX.length)));
  return Number.isInteger(v) && v > 0 ? v : null;
}

export class UnknownKeyVersion extends Error {
  constructor(readonly orgId: string, readonly version: number) {
    super(`org ${orgId} has no content key version ${version} in this keyring`);
  }
}

export interface OrgKeys {
  orgId: string;
  /** The content key new values are sealed with. */
  current: { version: number; key: Buffer };
  /** Every content key version this org has (old ones still open what they sealed). */
  byVersion: ReadonlyMap<number, Buffer>;
  /** The org's blind-index key. */
  index: Buffer;
}

/**
 * One org's content encryption, synchronous once its keys are loaded (lib/db/keyring). Every
 * value is sealed for a context (`Table.column:<owner>`), which goes into the associated data
 * with the org's id: a ciphertext copied into another person's row, another column or another
 * org does not open. Values stored before encryption (no `enc1.` prefix) are read as they are
 * until `npm run keys:rotate -- --reencrypt` seals them.
 */
export class ContentCipher {
  private readonly index: BlindIndex;

  constructor(private readonly keys: OrgKeys) {
    this.index = new BlindIndex(keys.index);
  }

  get orgId(): string {
    return this.keys.orgId;
  }

  get currentVersion(): number {
    return this.keys.current.version;
  }

  private aad(context: string): string {
    return `${this.keys.orgId}|${context}`;
  }

  seal(plaintext: string, context: string): string {
    const { version, key } = this.keys.current;
    return `${PREFIX}${version}.${aeadSeal(key, Buffer.from(plaintext, "utf8"), this.aad(context)).toString("base64url")}`;
  }

  open(stored: string, context: string): string {
    if (!isSealed(stored)) return stored;
    const version = sealedVersion(stored);
    const key = version === null ? undefined : this.keys.byVersion.get(version);
    if (version === null || !key) throw new UnknownKeyVersion(this.keys.orgId, version ?? 0);
    const body = Buffer.from(stored.slice(stored.indexOf(".", PREFIX.length) + 1), "base64url");
    return aeadOpen(key, body, this.aad(context), context.split(":")[0]).toString("utf8");
  }

  sealNullable(plaintext: string | null, context: string): string | null {
    return plaintext === null ? null : this.seal(plaintext, context);
  }

  openNullable(stored: string | null, context: string): string | null {
    return stored === null ? null : this.open(stored, context);
  }

  /** A JSON value sealed into one JSON string (for Json columns). */
  sealJson(value: unknown, context: string): string {
    return this.seal(JSON.stringify(value), context);
  }

  /** The JSON value back; anything that is not a sealed string is plaintext from before encryption. */
  openJson(stored: unknown, context: string): unknown {
    return isSealed(stored) ? JSON.parse(this.open(stored, context)) : stored;
  }

  /** Blind-index entries of a text (lib/privacy/encryption/blind-index). */
  indexTerms(text: string): string[] {
    return this.index.terms(text);
  }

  queryTerm(word: string): string {
    return this.index.query(word);
  }
}
