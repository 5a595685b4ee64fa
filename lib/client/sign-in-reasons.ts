/**
 * Why the sign-in page is being shown, as a short code in its query string (`?reason=…`).
 *
 * The page turns a known code into one of these fixed messages and ignores anything else. It
 * never prints text taken from the URL: a crafted link must not be able to make a genuine
 * Palisade page say "Your account is locked, call this number" (content spoofing).
 */
import type { SignOutReason } from "./session-sync";
import { safeRedirect } from "../shared/safe-redirect";

/**
 * `reauth-required`: a change that needs a recent sign-in (an address change, a new sign-in
 * method) was refused. The sign-in page shows its form even to someone signed in, for this reason
 * only: a fresh password check is exactly what was asked for.
 * `second-factor-expired`: the second step of a sign-in came too late (the pending sign-in lives
 * five minutes, ADR 047) or its cookie was gone, so the sign-in starts again from the password.
 */
export type SignInReason = SignOutReason | "signin-required" | "reauth-required" | "second-factor-expired";

export const SIGN_IN_MESSAGES: Readonly<Record<SignInReason, string>> = {
  "signin-required": "Sign in to continue.",
  "reauth-required": "For your security, sign in again to continue.",
  "session-ended": "Your session has ended. Sign in again to pick up where you left off.",
  "signed-out": "You have signed out.",
  "signed-out-everywhere": "You have signed out on every device.",
  "account-deleted": "Your account and its notes have been deleted.",
  "second-factor-expired": "Your sign-in was not finished in time. Sign in again, then enter a new code.",
};

export function readSignInReason(value: unknown): SignInReason | null {
  return typeof value === "string" && Object.hasOwn(SIGN_IN_MESSAGES, value) ? (value as SignInReason) : null;
}

/** `/signin?reason=…&next=…`, with `next` made safe (./safe-redirect.ts) before it is written. */
export function signInHref(reason?: SignInReason, next?: string): string {
  const params = new URLSearchParams();
  if (reason !== undefined) params.set("reason", reason);
  if (next !== undefined) {
    const safe = safeRedirect(next, "");
    if (safe !== "") params.set("next", safe);
  }
  const query = params.toString();
  return query === "" ? "/signin" : `/signin?${query}`;
}

/** The second step of a sign-in (ADR 047): the page that asks for the code. */
export const SECOND_FACTOR_PATH = "/signin/second-factor";

/**
 * `/signin/second-factor?next=…`, carrying `reason=reauth-required` when the sign-in was a
 * re-authentication, so the page asks for the code even though a session already exists.
 */
export function secondFactorHref(next?: string, reason?: SignInReason): string {
  const params = new URLSearchParams();
  if (reason === "reauth-required") params.set("reason", reason);
  if (next !== undefined) {
    const safe = safeRedirect(next, "");
    if (safe !== "") params.set("next", safe);
  }
  const query = params.toString();
  return query === "" ? SECOND_FACTOR_PATH : `${SECOND_FACTOR_PATH}?${query}`;
}
