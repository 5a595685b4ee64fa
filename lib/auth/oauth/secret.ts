/**
 * The identity broker's secret, and the keys derived from it.
 *
 * It protects short-lived browser state only: next-auth's state, PKCE-verifier and nonce cookies
 * (encrypted with a key next-auth derives from it) and our pending-link cookie (./pending-link.ts).
 * It never protects a session: sessions are our refresh families, with our own token pair.
 *
 * - A deployment must set NEXTAUTH_SECRET when any provider is configured (lib/env.ts refuses to
 *   start otherwise), at least 32 characters.
 * - A local run without it uses a key derived from the signing key (the generated development key
 *   in `.data/`, docs/decisions/008-development-signing-keys.md) with HKDF under a label of its own.
 *   HKDF output for one label reveals nothing about the input or about other labels (RFC 5869), so
 *   the two uses stay independent, and the value is the same in every module instance and after a
 *   restart, unlike a random per-process value.
 * Each use gets its own HKDF label, so a key for one purpose never opens another's data.
 */
import "server-only";
import { hkdfSync } from "node:crypto";
import { env } from "../../env";

/** The value passed to next-auth as its `secret`. */
export function brokerSecret(): string {
  if (env.NEXTAUTH_SECRET !== undefined) return env.NEXTAUTH_SECRET;
  if (env.JWT_PRIVATE_KEY === undefined) {
    // next.config.ts puts the development key in place before any route loads; reaching this
    // means a script or test loaded the broker without any key material at all.
    throw new Error("The identity broker needs NEXTAUTH_SECRET (or, locally, a signing key to derive it from).");
  }
  return Buffer.from(hkdfSync("sha256", env.JWT_PRIVATE_KEY, "", "palisade/oauth/broker-secret/v1", 32)).toString("base64url");
}

/** A 256-bit key for one purpose, derived from the broker secret. */
export function derivedKey(label: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", brokerSecret(), "", `palisade/oauth/${label}`, 32));
}
