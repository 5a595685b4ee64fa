/**
 * The limit on wrong second-factor codes: 5 per 15 minutes per account, by default
 * (`RATE_LIMIT_SECOND_FACTOR_*`; docs/decisions/047-second-factor-sign-in-and-step-up.md).
 *
 * Threat: a six-digit code with three accepted steps falls to one guess in about 333,000. Without
 * a bound, a thief who has the password (or a stolen session, at the step-up) gets through in
 * hours. Defence, the same as the password limit (ADR 012), for every place a code is checked:
 * - one budget per account, keyed by user id: the second step of sign-in, the step-up and the
 *   management checks all draw on it, so a stolen session cannot test codes where sign-in would
 *   refuse them;
 * - counted when checked and refunded on success, so twenty guesses sent at once cannot all pass
 *   a check that has not yet seen their failures, and a crash leaves a failure counted;
 * - the store down fails closed (503): an outage must not lift the only bound on guessing.
 * There is no per-address tier: the first factor (or a session) already names the account, and
 * it is the account whose code is being guessed.
 */
import "server-only";
import { env } from "../../env";
import type { AppError } from "../../http/errors";
import { edgeLogger, type EdgeLogger } from "../../edge/log";
import { countOne, logOutage, rateLimitStoreFrom } from "../../edge/rate-limit/limiter";
import { decide, policiesFrom, type RateLimitDecision, type TierOutcome, type TierPolicies } from "../../edge/rate-limit/policy";
import { rateLimitedError } from "../../edge/rate-limit/response";
import type { RateLimitStore } from "../../edge/rate-limit/store";

export interface SecondFactorAttemptOptions {
  store?: RateLimitStore;
  policies?: TierPolicies;
  now?: () => number;
}

/** One code check. Settle it with `secondFactorSucceeded` or `secondFactorFailed`. */
export interface SecondFactorAttempt {
  readonly decision: RateLimitDecision;
  /** `RateLimit-Policy`, `RateLimit` and, when refused, `Retry-After`: add them to the response. */
  readonly headers: Headers;
}

interface Reservation {
  outcome: TierOutcome;
  store: RateLimitStore;
  log: EdgeLogger;
}

// Settled once: the entry is deleted on settling, so a second success cannot refund twice.
const open = new WeakMap<SecondFactorAttempt, Reservation>();
let defaultStore: RateLimitStore | undefined;

/**
 * Count a code check for `userId` before the code is looked at. Throws the 429 (or, with the
 * store down, 503) that refuses it; the caller must not check the code then.
 */
export async function beginSecondFactorAttempt(userId: string, requestId: string, options: SecondFactorAttemptOptions = {}): Promise<SecondFactorAttempt> {
  const store = options.store ?? (defaultStore ??= rateLimitStoreFrom(env));
  const policies = options.policies ?? policiesFrom(env);
  const log = edgeLogger(requestId);
  const outcome = await countOne(store, { policy: policies["second-factor"], key: `user:${userId}` }, log);
  const decision = decide([outcome], (options.now ?? Date.now)());
  if (decision.outcome !== "allowed") {
    // Refused before any check: not a failure, so whatever was counted goes back.
    if (outcome.status === "counted" && outcome.result.allowed) await refund({ outcome, store, log });
    throw secondFactorRefusal(decision);
  }
  const attempt: SecondFactorAttempt = Object.freeze({ decision, headers: decision.headers });
  open.set(attempt, { outcome, store, log });
  return attempt;
}

/** The code was wrong: it stays counted. */
export function secondFactorFailed(attempt: SecondFactorAttempt): void {
  open.delete(attempt);
}

/** The code was right: refund the check. */
export async function secondFactorSucceeded(attempt: SecondFactorAttempt): Promise<void> {
  const reservation = open.get(attempt);
  if (reservation === undefined) return;
  open.delete(attempt);
  await refund(reservation);
}

function secondFactorRefusal(decision: Exclude<RateLimitDecision, { outcome: "allowed" }>): AppError {
  return rateLimitedError(decision, `Too many wrong codes. Try again in ${decision.retryAfterSeconds} seconds.`);
}

async function refund({ outcome, store, log }: Reservation): Promise<void> {
  if (outcome.status !== "counted") return;
  try {
    await store.hit(outcome.policy, outcome.key, -1);
  } catch (error) {
    // A lost refund leaves one extra failure counted: it errs against the client, never for an attacker.
    logOutage(log, outcome, error);
  }
}
