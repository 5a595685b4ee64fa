/**
 * Service client credentials: a public client id and a secret shown once, stored as a hash.
 *
 * - The secret is 32 bytes from the CSPRNG (256 bits), base64url: guessing it is hopeless, so it
 *   needs no lockout, and a leaked database must not hand it out, so only a hash is kept.
 * - The hash is a single SHA-256, not argon2. A slow hash buys time against guessing *low-entropy*
 *   secrets (human passwords) from a stolen table; against a uniformly random 256-bit secret no
 *   amount of guessing succeeds, slow or fast (NIST SP 800-63B §5.1.1.2 asks for a slow hash for
 *   memorized secrets only). A slow hash here would only make every token request cost ~12 ms of
 *   CPU that an unauthenticated caller can demand (docs/decisions/021-service-principals-client-credentials.md).
 * - Comparison is constant-time on the two digests, so response timing does not reveal how many
 *   leading bytes of a guess were right.
 * - The client id is a lookup key, not a secret: 128 random bits, so ids cannot be enumerated.
 */
import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const CLIENT_ID_FORMAT = /^[A-Za-z0-9_-]{22}$/;
export const CLIENT_SECRET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export interface NewClientCredentials {
  clientId: string;
  clientSecret: string;
  secretHash: string;
}

export function newClientCredentials(): NewClientCredentials {
  const clientId = randomBytes(16).toString("base64url"); // 128 bits: unguessable, not secret
  const clientSecret = randomBytes(32).toString("base64url"); // 256 bits from the CSPRNG
  return { clientId, clientSecret, secretHash: hashClientSecret(clientSecret) };
}

export function hashClientSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time: both sides are 32-byte digests whatever was presented. */
export function secretMatches(storedHash: string, presentedSecret: string): boolean {
  const stored = Buffer.from(storedHash, "hex");
  const presented = Buffer.from(hashClientSecret(presentedSecret), "hex");
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

/** A hash no secret produces, compared against when the client id is unknown, so both paths do the same work. */
export const UNKNOWN_CLIENT_HASH = "0".repeat(64);
