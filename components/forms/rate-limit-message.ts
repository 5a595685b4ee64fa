/**
 * What a person is told when a sign-in or sign-up is refused by a rate limit. The tier that
 * refused decides the words: a lock after failed passwords is not the same news as a busy shared
 * network, and telling someone behind an office's address that *they* failed to sign in several
 * times would be wrong and alarming. The wait comes from `Retry-After`.
 */
import type { ApiError } from "@/lib/client/problem";
import type { FormMessage } from "./form-status";

export function aboutMinutes(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}

const FAILURE_TIERS = ["auth-ip", "auth-account"];

export function rateLimitMessage(error: ApiError, action: "sign-in" | "sign-up"): FormMessage {
  const wait = `Try again in about ${aboutMinutes(error.retryAfterSeconds ?? 60)}.`;
  const violated = error.problem.violatedPolicies ?? [];
  if (action === "sign-in" && violated.some((tier) => FAILURE_TIERS.includes(tier))) {
    return {
      tone: "warning",
      title: "Too many failed sign-ins",
      detail: `Signing in is paused after several failed attempts, to stop password guessing. ${wait}`,
    };
  }
  if (violated.includes("credential")) {
    const what = action === "sign-in" ? "sign-ins" : "sign-ups";
    return {
      tone: "warning",
      title: `Too many ${what} from your network`,
      detail: `Many sign-ins and sign-ups came from your network in the last few minutes, so new ones are paused for a while, to stop automated attacks. ${wait}`,
    };
  }
  return { tone: "warning", title: "Too many requests from your network", detail: `Your network has sent more requests than the app allows for now. ${wait}` };
}
