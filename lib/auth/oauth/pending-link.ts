/**
 * The pending link: proof, carried by the browser for a few minutes, that it just completed a
 * provider sign-in whose verified email belongs to an existing account. With it, the person can
 * connect that provider to the account by confirming the account's password
 * (POST /api/auth/oauth/link; docs/decisions/031-account-linking-rules.md).
 *
 * Threats and defences:
 * - Forgery or tampering (linking an arbitrary provider identity to someone's account): the
 *   cookie is a JWE, `dir` + A256GCM, under a key used for nothing else (./secret.ts). Without the
 *   key it can be neither read nor altered; GCM's tag fails on any changed byte.
 * - Replay of an old cookie: it expires after 10 minutes (claim and cookie both), and linking
 *   still needs the account's password and is limited like a sign-in. The cookie is cleared when
 *   the link succeeds.
 * - Theft through scripts or other sites: HttpOnly, Secure, SameSite=Strict and scoped to the one
 *   endpoint that reads it, so it travels nowhere else.
 * - Disclosure: it holds the provider subject, the email the provider asserted and our user id,
 *   all encrypted; no token from the provider is ever kept.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { z } from "zod";
import { PROVIDER_IDS, type ProviderId } from "./configured";
import { derivedKey } from "./secret";

export const PENDING_LINK_COOKIE = "__Secure-palisade-oauth-link";
/** Only the confirmation endpoint receives it. */
export const PENDING_LINK_PATH = "/api/auth/oauth/link";
/** Long enough to type a password; short enough that a forgotten tab's proof goes stale. */
export const PENDING_LINK_TTL_SECONDS = 600;

const AUDIENCE = "palisade/oauth-pending-link";
const KEY_LABEL = "pending-link/v1";

export interface PendingLink {
  provider: ProviderId;
  providerAccountId: string;
  /** The verified email the provider asserted; it matched `userId`'s email at the callback. */
  email: string;
  userId: string;
}

const Claims = z.object({
  provider: z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]),
  providerAccountId: z.string().min(1).max(255),
  email: z.string().min(3).max(254),
  userId: z.string().min(1).max(64),
});

export async function sealPendingLink(link: PendingLink): Promise<string> {
  return new EncryptJWT({ ...link })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${PENDING_LINK_TTL_SECONDS}s`)
    .setJti(randomUUID())
    .encrypt(derivedKey(KEY_LABEL));
}

/** The pending link in a cookie value, or null when it is missing, forged, altered or expired. */
export async function openPendingLink(value: string | undefined): Promise<PendingLink | null> {
  // A real cookie is well under 1 KiB; anything longer is not ours.
  if (value === undefined || value.length === 0 || value.length > 2048) return null;
  try {
    const { payload } = await jwtDecrypt(value, derivedKey(KEY_LABEL), {
      audience: AUDIENCE,
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      requiredClaims: ["exp", "iat", "jti"],
      clockTolerance: 5,
    });
    const claims = Claims.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}

export function pendingLinkCookie(value: string): string {
  return [`${PENDING_LINK_COOKIE}=${value}`, `Path=${PENDING_LINK_PATH}`, `Max-Age=${PENDING_LINK_TTL_SECONDS}`, "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}

export function clearedPendingLinkCookie(): string {
  return [`${PENDING_LINK_COOKIE}=`, `Path=${PENDING_LINK_PATH}`, "Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}
