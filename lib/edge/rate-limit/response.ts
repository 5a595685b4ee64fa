/**
 * The answer to a refused rate-limit decision: 429 problem+json when a limit was reached, 503
 * when a fail-closed tier's store did not answer. Both carry `Retry-After` and the RateLimit
 * fields; the body names the tiers in `violated-policies` (draft-ietf-httpapi-ratelimit-headers-10
 * §5.1) and never says whose limit it was (an IP, an account) beyond the tier's name.
 */
import { AppError } from "../../http/errors";
import { problemResponse } from "../../http/problem";
import type { RateLimitDecision } from "./policy";

type Refusal = Extract<RateLimitDecision, { outcome: "limited" | "unavailable" }>;

/** The refusal as an error, for a handler that throws it (lib/auth/password-attempt.ts). */
export function rateLimitedError(decision: Refusal, detail?: string): AppError {
  const headers = Object.fromEntries(decision.headers);
  const extensions = { "violated-policies": decision.violated };
  return decision.outcome === "limited"
    ? new AppError("ERR_RATE_LIMITED", { detail: detail ?? `Too many requests. Try again in ${decision.retryAfterSeconds} seconds.`, headers, extensions })
    : new AppError("ERR_DB_UNAVAILABLE", { detail: "Please try again shortly.", headers, extensions });
}

export function rateLimitedResponse(decision: Refusal, requestId: string, detail?: string): Response {
  return problemResponse(rateLimitedError(decision, detail), requestId);
}
