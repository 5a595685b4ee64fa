/**
 * What the SPA's sign-in page needs from the identity broker: the link that starts a provider's
 * sign-in, and the outcome codes a refused sign-in comes back with.
 *
 * A refusal is reported as a short code in the sign-in page's query string
 * (`/signin?oauth=link-required`), which the page turns into one of the fixed messages below.
 * Content spoofing: the page never prints text taken from the URL, only a message chosen by a
 * known code, so a crafted link cannot make a genuine Palisade page say anything else. Unknown
 * codes are ignored. The codes are stable: tests and the sign-in page rely on them.
 *
 * Isomorphic (no `server-only`, no configuration): the page and the broker (./broker.ts) share it.
 */

/** The SPA's sign-in page (app/(auth)/signin): where a refused sign-in lands. */
export const SIGN_IN_PATH = "/signin";
/** Where a sign-in waits for its second factor (ADR 047). */
export const SECOND_FACTOR_PATH = "/signin/second-factor";
/**
 * The SPA's account page (app/(app)/account): where a refused *link* lands, for someone who was
 * signed in when they started it (the sign-in page would just send them on to the dashboard).
 */
export const ACCOUNT_PATH = "/account";

/** The query parameter that carries an outcome code. */
export const OAUTH_OUTCOME_PARAM = "oauth";

export const OAUTH_MESSAGES = {
  "link-required": "An account with this email address already exists. To connect this sign-in method to it, confirm with your Palisade password.",
  "link-requires-sign-in":
    "An account with this email address already exists and has no password. Sign in the way you did before, then connect this sign-in method from your account page.",
  "email-unverified": "The provider did not confirm that this email address is yours. Verify it with the provider, then try again.",
  "account-unverified": "Confirm your email address before connecting a sign-in method: use the link we mailed you, or ask for a new one on this page.",
  "linked-to-another-account": "This sign-in is already connected to a different Palisade account.",
  "provider-already-linked": "Your account is already connected to a different account at this provider.",
  "reauth-required": "For your security, sign in again before connecting a new sign-in method.",
  "provider-denied": "Sign-in was cancelled at the provider.",
  "sign-in-failed": "Sign-in did not complete. Please try again.",
} as const satisfies Record<string, string>;

export type OAuthOutcomeCode = keyof typeof OAUTH_MESSAGES;

/** A known outcome code from a query value, or null for anything else. */
export function readOAuthOutcome(value: unknown): OAuthOutcomeCode | null {
  return typeof value === "string" && Object.hasOwn(OAUTH_MESSAGES, value) ? (value as OAuthOutcomeCode) : null;
}

/**
 * The link a "Continue with …" button points at: a plain GET navigation, so it needs no script
 * (./broker.ts, `startFromLink`). `next` is where to land afterwards; the broker checks it again.
 */
export function providerSignInPath(providerId: string, next?: string): string {
  const query = next === undefined ? "" : `?${new URLSearchParams({ next }).toString()}`;
  return `/api/auth/signin/${encodeURIComponent(providerId)}${query}`;
}

/** `/signin?oauth=<code>` (or the account page's): where a refused provider sign-in lands. */
export function oauthOutcomePath(code: OAuthOutcomeCode, page: typeof SIGN_IN_PATH | typeof ACCOUNT_PATH = SIGN_IN_PATH): string {
  return `${page}?${new URLSearchParams({ [OAUTH_OUTCOME_PARAM]: code }).toString()}`;
}
