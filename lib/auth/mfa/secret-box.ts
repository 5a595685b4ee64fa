/**
 * Second-factor secrets at rest (docs/decisions/046-second-factors-foundation.md).
 *
 * Threat: a TOTP secret is a long-lived credential. Unlike a password or a recovery code it cannot
 * be stored as a hash, because the server must compute codes from it. A backup, a read-only SQL
 * injection or a log of the row would hand out every account's second factor for good; and
 * someone able to write one column could copy their own secret into a victim's row and then pass
 * the victim's second factor with their own authenticator.
 * Defence: AES-256-GCM (NIST SP 800-38D) under `MFA_ENCRYPTION_KEY`, which lives in the
 * deployment's secret store, never in the database. The user id is the associated data, so a box
 * opens only in the row of the user it was sealed for; GCM's tag refuses any flipped byte. OWASP
 * ASVS 5.0 V11.3 (encryption at rest), V6.6 (out-of-band and time-based one-time passwords).
 */
import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "../../env";
import { loadOrCreateDevMfaKey } from "../dev-keys";

/** The format's version: a later format (another cipher, a key id) gets its own prefix. */
const VERSION = "v1";
/** 96 bits, GCM's native nonce size. Random nonces are safe far beyond the 2^32 boxes one key may seal. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Separates this use of the key from any later one, whatever the user id looks like. */
const AAD_LABEL = "palisade/mfa-secret/v1\u0000";

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Thrown when a key is not 32 bytes: a configuration error, never a client's fault. */
export class MfaKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MfaKeyError";
  }
}

/** Decode `MFA_ENCRYPTION_KEY` (base64 or base64url, which Node's decoder both accepts). */
export function decodeMfaKey(encoded: string): Buffer {
  const key = Buffer.from(encoded.trim(), "base64");
  if (key.length !== KEY_BYTES) throw new MfaKeyError(`MFA_ENCRYPTION_KEY must decode to ${KEY_BYTES} bytes; it decodes to ${key.length}.`);
  return key;
}

let cachedKey: Buffer | undefined;

/**
 * The process's key: `MFA_ENCRYPTION_KEY`, or locally a key kept in `DATA_DIR/keys/` (a
 * deployment without the variable never starts; lib/env.ts).
 */
export function mfaEncryptionKey(): Buffer {
  cachedKey ??= decodeMfaKey(env.MFA_ENCRYPTION_KEY ?? localKey());
  return cachedKey;
}

function localKey(): string {
  // Unreachable while lib/env.ts holds, and kept so: a key generated on a deployed instance would
  // differ per instance and vanish with it, leaving every secret sealed with it unreadable.
  if (env.deployed) throw new MfaKeyError("MFA_ENCRYPTION_KEY is required in a deployment.");
  return loadOrCreateDevMfaKey(env.DATA_DIR);
}

function associatedData(userId: string): Buffer {
  return Buffer.from(AAD_LABEL + userId, "utf8");
}

/** Seal `plaintext` for `userId`: `v1.<iv>.<ciphertext>.<tag>`, each part base64url. */
export function sealSecret(plaintext: Uint8Array, userId: string, key: Buffer = mfaEncryptionKey()): string {
  // A fresh random nonce per box: GCM with a repeated (key, nonce) pair leaks the XOR of the
  // plaintexts and lets anyone forge tags, so a nonce is never derived or reused.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(userId));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join(".");
}

/**
 * Open a box sealed for `userId`, or null when it is malformed, of another version, sealed for
 * another user, under another key, or altered in any byte. The reasons are not told apart: each
 * means the box must not be used, and a caller has nothing to do differently for any of them.
 */
export function openSecret(box: string, userId: string, key: Buffer = mfaEncryptionKey()): Uint8Array | null {
  const parts = box.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) return null;
  const [, ivPart, ciphertextPart, tagPart] = parts as [string, string, string, string];
  if (!BASE64URL.test(ivPart) || !BASE64URL.test(ciphertextPart) || !BASE64URL.test(tagPart)) return null;
  const iv = Buffer.from(ivPart, "base64url");
  const ciphertext = Buffer.from(ciphertextPart, "base64url");
  const tag = Buffer.from(tagPart, "base64url");
  // A short tag would weaken the check to its length (Node accepts tags down to 4 bytes).
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(userId));
    decipher.setAuthTag(tag);
    // final() throws unless the tag matches: no byte of an unauthenticated plaintext is returned.
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch {
    return null;
  }
}
