/**
 * What a provider told us about the person, reduced to the few facts the linking rules use
 * (./linking.ts): a stable subject, an email address, and whether the provider vouches for it.
 *
 * Threat: linking or creating accounts on an email address the person does not control. Many
 * providers let anyone type any address into their profile; only an address the provider itself
 * verified says anything about who is signing in (OWASP ASVS 5.0 V6.8; the "pre-account takeover"
 * attacks in Sudhodanan & Paverd, 2022). So:
 * - `emailVerified` is true only when the provider asserted it with a boolean `true`: a missing
 *   claim, `false`, or a string such as `"true"` from a non-conforming provider all count as
 *   unverified (fail closed).
 * - GitHub has no such claim: ./providers.ts reads GitHub's email list and reports the primary
 *   address as verified only when GitHub marks it so, in the same claim names as OIDC.
 * - The generic OIDC provider's ID token must come from the configured issuer, not merely from
 *   whatever issuer the discovery document named (OIDC Discovery §4.3).
 * The email is normalised exactly as a registration's is (lib/auth/schemas.ts), so `Ann@X.com`
 * and `ann@x.com` are one account here as everywhere else.
 */
import "server-only";
import { z } from "zod";
import { EmailSchema } from "../schemas";
import type { ProviderId } from "./configured";

export interface ProviderIdentity {
  provider: ProviderId;
  /** The provider's stable id for the person: GitHub's numeric id, the OIDC `sub`. */
  providerAccountId: string;
  /** Normalised, or null when the provider gave none (or one that is not an address). */
  email: string | null;
  emailVerified: boolean;
  /** A display name for a new account: never empty, at most 100 characters. */
  name: string;
}

/** OIDC standard claims, which every provider's profile is mapped to (GitHub's by ./providers.ts). */
const ProfileClaims = z.object({
  sub: z.union([z.string().min(1).max(255), z.number().int().nonnegative()]),
  iss: z.string().optional(),
  email: z.string().max(320).nullish(),
  email_verified: z.unknown().optional(),
  name: z.string().nullish(),
  preferred_username: z.string().nullish(),
});

// Control characters (C0, C1, DEL), format characters (bidi overrides such as U+202E, which
// can make a name display as something else, and zero-width characters) and line separators.
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const NAME_MAX = 100;
const FALLBACK_NAME = "Palisade user";

function displayName(...candidates: (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    const cleaned = (candidate ?? "").replace(CONTROL, " ").replace(/\s+/g, " ").trim().slice(0, NAME_MAX).trim();
    if (cleaned !== "") return cleaned;
  }
  return FALLBACK_NAME;
}

/** Issuer identifiers compare as strings; only a trailing slash is commonly added or dropped. */
function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/**
 * Whether an ID token's claims come from `issuer` (AUTH_OIDC_ISSUER). openid-client checks the
 * token against the issuer the discovery document names; this checks that document named the one
 * we configured, which openid-client does not do when given the document's URL.
 */
export function fromConfiguredIssuer(profile: unknown, issuer: string | undefined): boolean {
  const iss = typeof profile === "object" && profile !== null ? (profile as { iss?: unknown }).iss : undefined;
  return issuer !== undefined && typeof iss === "string" && sameIssuer(iss, issuer);
}

export interface IdentityOptions {
  /** AUTH_OIDC_ISSUER: required to match the ID token's `iss` for the generic provider. */
  oidcIssuer?: string;
}

/** The identity in a provider's profile, or null when the profile cannot be trusted or used. */
export function identityFrom(provider: ProviderId, profile: unknown, options: IdentityOptions = {}): ProviderIdentity | null {
  const claims = ProfileClaims.safeParse(profile);
  if (!claims.success) return null;
  const { sub, email, email_verified: emailVerified, name, preferred_username: username } = claims.data;
  if (provider === "oidc" && !fromConfiguredIssuer(profile, options.oidcIssuer)) return null;

  const parsedEmail = email === null || email === undefined ? null : EmailSchema.safeParse(email);
  const normalisedEmail = parsedEmail?.success === true ? parsedEmail.data : null;
  return {
    provider,
    providerAccountId: String(sub),
    email: normalisedEmail,
    // Strictly the boolean true, and only together with a usable address.
    emailVerified: normalisedEmail !== null && emailVerified === true,
    name: displayName(name, username, normalisedEmail?.split("@")[0]),
  };
}

/** One entry of GitHub's `GET /user/emails`. */
const GitHubEmail = z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() });

/**
 * GitHub's quirk: `/user` shows only the address the user chose to make public, and says nothing
 * about verification. The email list does: the primary address counts only when it is verified.
 * Another verified address is not substituted; the primary one is the address the person chose.
 */
export function githubVerifiedPrimary(emails: unknown): { email: string | null; verified: boolean } {
  const parsed = z.array(GitHubEmail).safeParse(emails);
  const primary = parsed.success ? parsed.data.find((entry) => entry.primary) : undefined;
  if (primary === undefined) return { email: null, verified: false };
  return { email: primary.email, verified: primary.verified };
}
