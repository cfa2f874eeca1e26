import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * AES-256-GCM with a random 96-bit nonce per message; the output is nonce ‖ tag ‖ ciphertext.
 * The associated data binds a ciphertext to where it belongs (org, column, owner): moved into
 * another row or column it no longer opens. A wrong key or a changed byte throws; nothing ever
 * decrypts to garbage.
 */
const NONCE = 12;
const TAG = 16;

export function aeadSeal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv("aes-256-gcm", key, nonce);
  c.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([nonce, c.getAuthTag(), body]);
}

export class DecryptionError extends Error {
  constructor(what: string) {
    super(`${what} could not be decrypted: the key is not the one it was encrypted with, or the stored bytes were changed`);
    this.name = "DecryptionError";
  }
}

export function aeadOpen(key: Buffer, sealed: Buffer, aad: string, what = "A value"): Buffer {
  if (sealed.length < NONCE + TAG) throw new DecryptionError(what);
  const d = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, NONCE));
  d.setAAD(Buffer.from(aad, "utf8"));
  d.setAuthTag(sealed.subarray(NONCE, NONCE + TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(NONCE + TAG)), d.final()]);
  } catch {
    throw new DecryptionError(what);
  }
}
