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
 *   still needs the account's password and is limited like a sign-in.
 * - Planting (cookie tossing): a pending link sealed for the attacker's provider account, set in
 *   the victim's browser by a sibling host, would have the victim confirm it with their own
 *   password. The cookie is `__Host-` (so no other host can set it) and single-use: the first
 *   confirmation spends its `jti` (./spent-proofs.ts), right or wrong, so a copied cookie cannot
 *   be tried again or replayed after it was used.
 * - Theft through scripts or other sites: HttpOnly, Secure and SameSite=Strict. `__Host-` needs
 *   Path=/, so it is sent with this host's same-site requests for its 10 minutes; it is
 *   encrypted, and only the confirmation endpoint opens it.
 * - Disclosure: it holds the provider subject, the email the provider asserted and our user id,
 *   all encrypted; no token from the provider is ever kept.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { z } from "zod";
import { PROVIDER_IDS, type ProviderId } from "./configured";
import { derivedKey } from "./secret";
import { PENDING_LINK_COOKIE } from "../cookie-names";

export { PENDING_LINK_COOKIE };
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

/** An opened pending link: what was sealed, plus the proof's id and end, for spending it once. */
export interface OpenedPendingLink extends PendingLink {
  /** The `jti`: spent by the first confirmation that gets past the password (./confirm-link.ts). */
  id: string;
  expiresAt: Date;
}

const Claims = z.object({
  provider: z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]),
  providerAccountId: z.string().min(1).max(255),
  email: z.string().min(3).max(254),
  userId: z.string().min(1).max(64),
  jti: z.string().min(1).max(64),
  exp: z.number().int(),
});

/** `now` exists for tests that need a link sealed in the past; a caller never passes it. */
export async function sealPendingLink(link: PendingLink, now = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new EncryptJWT({ ...link })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + PENDING_LINK_TTL_SECONDS)
    .setJti(randomUUID())
    .encrypt(derivedKey(KEY_LABEL));
}

/** The pending link in a cookie value, or null when it is missing, forged, altered or expired. */
export async function openPendingLink(value: string | undefined): Promise<OpenedPendingLink | null> {
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
    if (!claims.success) return null;
    const { jti, exp, ...link } = claims.data;
    return { ...link, id: jti, expiresAt: new Date(exp * 1000) };
  } catch {
    return null;
  }
}

export function pendingLinkCookie(value: string): string {
  return [`${PENDING_LINK_COOKIE}=${value}`, "Path=/", `Max-Age=${PENDING_LINK_TTL_SECONDS}`, "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}

export function clearedPendingLinkCookie(): string {
  return [`${PENDING_LINK_COOKIE}=`, "Path=/", "Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}
