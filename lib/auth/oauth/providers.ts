/**
 * The identity providers, as next-auth provider configurations: GitHub, Google and one generic
 * OpenID Connect issuer, each present only when configured (./configured.ts).
 *
 * Written out in full rather than taken from next-auth's presets, so every endpoint and every
 * protocol check is visible here (docs/decisions/030-next-auth-v4-as-identity-broker.md):
 * - `state` on all three: binds the callback to the browser that started the sign-in (RFC 6749
 *   §10.12), which is what stops a login-CSRF or a code injected from someone else's flow.
 * - PKCE (S256) on all three: an intercepted authorization code is useless without the verifier
 *   kept in this browser's encrypted cookie (RFC 7636; required by RFC 9700 §2.1.1). GitHub
 *   accepts PKCE on OAuth apps; a provider that ignored it would still be protected by `state`.
 * - `nonce` on the two OpenID Connect providers: binds the ID token to this sign-in, so a token
 *   replayed from another flow is refused (OIDC Core §3.1.2.1). GitHub issues no ID token.
 * - ID tokens are verified by openid-client against the issuer's published keys (RS256), with
 *   `iss`, `aud`, `exp` and `nonce` checked.
 * Each provider's profile is mapped to OIDC's standard claims (`sub`, `email`, `email_verified`,
 * `name`), so ./identity.ts reads all three the same way.
 */
import "server-only";
import type { User } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { z } from "zod";
import { env } from "../../env";
import { configuredProviders, type ProviderId } from "./configured";
import { githubVerifiedPrimary } from "./identity";

/** A provider's profile, in OIDC standard claim names. */
export type ProfileClaims = Record<string, unknown>;

const GITHUB_API = "https://api.github.com";
/** Outbound calls to a provider's API: generous for a slow provider, bounded for a hung one. */
const PROVIDER_TIMEOUT_MS = 10_000;

/** next-auth requires a user shape; the broker never uses it (it reads the raw claims). */
function toUser(claims: ProfileClaims): User {
  return { id: String(claims.sub), name: typeof claims.name === "string" ? claims.name : null, email: typeof claims.email === "string" ? claims.email : null };
}

const GitHubUser = z.object({ id: z.number().int().nonnegative(), login: z.string(), name: z.string().nullish() });

/** GitHub's user and email list, as OIDC claims; see `githubVerifiedPrimary` for the email rule. */
async function githubClaims(accessToken: string | undefined): Promise<ProfileClaims> {
  if (accessToken === undefined) throw new Error("GitHub returned no access token");
  const headers = {
    authorization: `Bearer ${accessToken}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    // GitHub's API refuses requests without a User-Agent.
    "user-agent": "palisade",
  };
  const [userResponse, emailsResponse] = await Promise.all([
    fetch(`${GITHUB_API}/user`, { headers, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) }),
    // Needs the `user:email` scope. Without it the list is unavailable and the email unverified.
    fetch(`${GITHUB_API}/user/emails`, { headers, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) }),
  ]);
  if (!userResponse.ok) throw new Error(`GitHub /user answered ${userResponse.status}`);
  const user = GitHubUser.parse(await userResponse.json());
  const primary = emailsResponse.ok ? githubVerifiedPrimary(await emailsResponse.json()) : { email: null, verified: false };
  return {
    sub: String(user.id),
    name: user.name ?? user.login,
    preferred_username: user.login,
    email: primary.email,
    email_verified: primary.verified,
  };
}

function github(clientId: string, clientSecret: string): OAuthConfig<ProfileClaims> {
  return {
    id: "github",
    name: "GitHub",
    type: "oauth",
    issuer: "https://github.com/login/oauth",
    authorization: { url: "https://github.com/login/oauth/authorize", params: { scope: "read:user user:email" } },
    token: "https://github.com/login/oauth/access_token",
    userinfo: { url: `${GITHUB_API}/user`, request: ({ tokens }) => githubClaims(tokens.access_token) },
    checks: ["pkce", "state"],
    clientId,
    clientSecret,
    httpOptions: { timeout: PROVIDER_TIMEOUT_MS },
    profile: toUser,
  };
}

function google(clientId: string, clientSecret: string): OAuthConfig<ProfileClaims> {
  return {
    id: "google",
    name: "Google",
    type: "oauth",
    wellKnown: "https://accounts.google.com/.well-known/openid-configuration",
    authorization: { params: { scope: "openid email profile" } },
    // The profile is the verified ID token's claims; Google states `email_verified` there.
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    clientId,
    clientSecret,
    httpOptions: { timeout: PROVIDER_TIMEOUT_MS },
    profile: toUser,
  };
}

function oidc(issuer: string, name: string, clientId: string, clientSecret: string): OAuthConfig<ProfileClaims> {
  return {
    id: "oidc",
    name,
    type: "oauth",
    wellKnown: `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    clientId,
    clientSecret,
    httpOptions: { timeout: PROVIDER_TIMEOUT_MS },
    profile: toUser,
  };
}

/** The next-auth configuration of every configured provider. */
export function brokerProviders(): OAuthConfig<ProfileClaims>[] {
  return configuredProviders().map(({ id, name }) => providerConfig(id, name));
}

function providerConfig(id: ProviderId, name: string): OAuthConfig<ProfileClaims> {
  // configuredProviders() lists a provider only when lib/env.ts has all of its variables.
  switch (id) {
    case "github":
      return github(env.AUTH_GITHUB_ID as string, env.AUTH_GITHUB_SECRET as string);
    case "google":
      return google(env.AUTH_GOOGLE_ID as string, env.AUTH_GOOGLE_SECRET as string);
    case "oidc":
      return oidc(env.AUTH_OIDC_ISSUER as string, name, env.AUTH_OIDC_ID as string, env.AUTH_OIDC_SECRET as string);
  }
}
