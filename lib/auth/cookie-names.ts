/**
 * Every cookie that carries a credential or a step of a sign-in, by name and scope. Shared by the
 * edge middleware and the route handlers; Web APIs only.
 *
 * Cookie tossing (docs/decisions/034-cookie-tossing.md): any host on the same site (a sibling
 * subdomain, a preview deployment, a user-content host) can set cookies for the parent domain,
 * with any path. The browser sends both its copy and ours, and the one with the longer path comes
 * first. So:
 * - `__Host-` wherever the path allows it: the browser accepts such a cookie only with Secure,
 *   Path=/ and no Domain, so no other host can set, shadow or overwrite it (RFC 6265bis §4.1.3.2).
 * - The refresh cookie keeps `__Secure-` and its narrow path: `__Host-` would force Path=/ and
 *   send the refresh token with every page request. A copy planted under that name is detected
 *   instead (./duplicate-cookies.ts): a request that carries two is refused, never served from
 *   either.
 */
/** `__Host-`: Secure, Path=/, no Domain; sent with every request to this host. */
export const ACCESS_COOKIE = "__Host-palisade-at";
/** `__Secure-` with a narrow path (see above); duplicates are refused. */
export const REFRESH_COOKIE = "__Secure-palisade-rt";
/** The refresh cookie is sent only to the auth endpoints (refresh, logout). */
export const REFRESH_COOKIE_PATH = "/api/auth";
/** The endpoints that read the refresh cookie: where a planted copy could be sent. */
export const REFRESH_COOKIE_READERS = ["/api/auth/refresh", "/api/auth/logout"] as const;

/**
 * The identity broker's one-sign-in cookies (lib/auth/oauth/handoff.ts). Each must be Path=/
 * for next-auth, so each can be, and is, `__Host-`: a planted state or PKCE verifier is how a
 * sibling host would force its own provider account into a victim's browser (login CSRF).
 */
export const OAUTH_COOKIES = {
  state: "__Host-next-auth.state",
  pkceCodeVerifier: "__Host-next-auth.pkce.code_verifier",
  nonce: "__Host-next-auth.nonce",
  callbackUrl: "__Host-next-auth.callback-url",
  csrfToken: "__Host-next-auth.csrf-token",
} as const;

/** The pending provider link (lib/auth/oauth/pending-link.ts): `__Host-`, so no other host can plant one. */
export const PENDING_LINK_COOKIE = "__Host-palisade-oauth-link";

/**
 * A sign-in waiting for its second factor (lib/auth/mfa/pending-sign-in.ts): `__Host-`, so no
 * other host can plant one and have the victim finish the attacker's sign-in.
 */
export const PENDING_SIGN_IN_COOKIE = "__Host-palisade-2fa";

/**
 * The browser nonce a passwordless passkey sign-in's challenge is bound to
 * (lib/auth/mfa/passkey-sign-in.ts): `__Host-`, so no other host can plant its own nonce and
 * have the victim's assertion finish over a challenge the attacker asked for.
 */
export const PASSKEY_SIGN_IN_COOKIE = "__Host-palisade-passkey";

/** Every name whose duplicate in one request is refused (./duplicate-cookies.ts). */
export const SECURITY_COOKIES: readonly string[] = [
  ACCESS_COOKIE,
  REFRESH_COOKIE,
  PENDING_LINK_COOKIE,
  PENDING_SIGN_IN_COOKIE,
  PASSKEY_SIGN_IN_COOKIE,
  ...Object.values(OAUTH_COOKIES),
];
