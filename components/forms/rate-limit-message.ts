/**
 * What a person is told when a sign-in, a sign-up or a request for a mailed link is refused by a
 * rate limit. The tier that refused decides the words: a lock after failed passwords is not the
 * same news as a busy shared network, and telling someone behind an office's address that *they*
 * failed to sign in several times would be wrong and alarming. The mail tiers count every request
 * for a known address or not (lib/edge/rate-limit/mail-sends.ts), so naming them tells no one
 * whether an account exists. The wait comes from `Retry-After`.
 */
import type { ApiError } from "@/lib/client/problem";
import type { FormMessage } from "./form-status";

export function aboutMinutes(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}

const FAILURE_TIERS = ["auth-ip", "auth-account"];

/** What the person was doing; "link" is asking for a mailed link (forgot password, a new link, a new address) or using one. */
export type RateLimitedAction = "sign-in" | "sign-up" | "password-reset" | "link";

const ACTION_NOUNS: Record<RateLimitedAction, string> = { "sign-in": "sign-ins", "sign-up": "sign-ups", "password-reset": "password resets", link: "requests" };

export function rateLimitMessage(error: ApiError, action: RateLimitedAction): FormMessage {
  const wait = `Try again in about ${aboutMinutes(error.retryAfterSeconds ?? 60)}.`;
  const violated = error.problem.violatedPolicies ?? [];
  // Counted per account wherever a code is checked (sign-in, step-up, enrolment; ADR 047), so the
  // words fit every one of them and name no other person's doing.
  if (violated.includes("second-factor")) {
    return {
      tone: "warning",
      title: "Too many wrong codes",
      detail: `Codes are not checked for a while after several wrong ones, to stop guessing. ${wait}`,
    };
  }
  if (action === "sign-in" && violated.some((tier) => FAILURE_TIERS.includes(tier))) {
    return {
      tone: "warning",
      title: "Too many failed sign-ins",
      detail: `Signing in is paused after several failed attempts, to stop password guessing. ${wait}`,
    };
  }
  if (violated.includes("mail-address")) {
    return {
      tone: "warning",
      title: "Too many emails to this address",
      detail: `Several emails to this address were asked for in the last few minutes, so no more are sent for a while, to protect its inbox. Look for the ones already sent, in the spam folder too. ${wait}`,
    };
  }
  if (violated.includes("mail-ip")) {
    return {
      tone: "warning",
      title: "Too many emails asked for from your network",
      detail: `Many emails were asked for from your network in the last few minutes, so new ones are paused for a while, to stop mailbox flooding. ${wait}`,
    };
  }
  if (violated.includes("credential")) {
    const what = ACTION_NOUNS[action];
    return {
      tone: "warning",
      title: `Too many ${what} from your network`,
      detail: `Many sign-ins and sign-ups came from your network in the last few minutes, so new ones are paused for a while, to stop automated attacks. ${wait}`,
    };
  }
  return { tone: "warning", title: "Too many requests from your network", detail: `Your network has sent more requests than the app allows for now. ${wait}` };
}
