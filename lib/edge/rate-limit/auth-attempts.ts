/**
 * The sign-in failure limit, for every password check. Only the server knows whether a password
 * was right, so the edge cannot count failures; lib/auth/password-attempt.ts, the one place a
 * password is checked, calls this module:
 *
 *   const attempt = await checkAuthAttempt({ ip, email, requestId });
 *   if (!attempt.allowed) throw authAttemptRefusalError(attempt);  // 429 or 503
 *   ...verify the password...
 *   ok ? await recordAuthSuccess(attempt) : await recordAuthFailure(attempt);
 *   // and add attempt.headers to the response either way
 *
 * Threats and defences (docs/decisions/012-account-keyed-auth-limit.md):
 * - Online password guessing from one address: 5 failures per 15 minutes per client IP (/64).
 * - Password spraying one account from many addresses: 5 failures per 15 minutes per account,
 *   keyed by SHA-256 of the normalised email, so rotating addresses does not help.
 * - Locking the real user out (a lockout is a denial of service the attacker controls): an
 *   address that signed in to the account successfully in the last 30 days is exempt from the
 *   account tier (it still has its own per-IP limit). The real user on their usual network keeps
 *   signing in while the account is under attack; the attacker never signed in from theirs.
 * - Racing the check: an attempt is counted when it is *checked*, and refunded if it succeeds.
 *   Twenty guesses sent in parallel cannot all pass a check that has not yet seen their failures;
 *   a handler that crashes mid-attempt leaves a failure counted, not a free guess.
 * - Successes never count (the source article's `skipSuccessfulRequests`), and a success does not
 *   reset anything: an attacker cannot launder failures by signing in to an account of their own.
 * - Store down: both tiers fail closed (503), because an unlimited guessing window is exactly
 *   what this limit exists to prevent (ADR 011).
 * Email addresses never reach the store or the logs: only their hash does.
 */
import { env } from "../../env";
import { rateLimitKeyForIp } from "../../shared/client-ip";
import { edgeLogger, type EdgeLogger } from "../log";
import { countOne, logOutage, rateLimitStoreFrom } from "./limiter";
import { decide, policiesFrom, type RateLimitDecision, type TierOutcome, type TierPolicies } from "./policy";
import { rateLimitedError } from "./response";
import type { AppError } from "../../http/errors";
import { problemResponse } from "../../http/problem";
import { hitEachOf, StoreUnavailableError, type RateLimitStore } from "./store";

export interface AuthAttemptInput {
  /** From `clientIp(request.headers)`; null when the configuration gives no trustworthy address. */
  ip: string | null;
  email: string;
  requestId?: string;
}

export interface AuthAttemptOptions {
  store?: RateLimitStore;
  policies?: TierPolicies;
  /** Seconds an address stays exempt from the account tier after a successful sign-in; 0 = never. */
  knownAddressTtlSeconds?: number;
  log?: EdgeLogger;
  now?: () => number;
}

/**
 * Case, surrounding spaces and Unicode compatibility forms do not make a different account, so
 * they must not make a different rate-limit key either (`Victim@Example.com ` is `victim@example.com`).
 */
export function normaliseEmail(email: string): string {
  return email.trim().normalize("NFKC").toLowerCase();
}

/**
 * The account tier's key: SHA-256 of the normalised address under a fixed label. A hash keeps
 * plain addresses out of the store and the logs; it does not make them secret (addresses are
 * guessable), so it is never shown to anyone.
 */
export async function accountKey(email: string): Promise<string> {
  const bytes = new TextEncoder().encode(`palisade/auth-account/v1\u0000${normaliseEmail(email)}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `acct:${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

let defaultStore: RateLimitStore | undefined;

function storeOf(options: AuthAttemptOptions): RateLimitStore {
  if (options.store !== undefined) return options.store;
  defaultStore ??= rateLimitStoreFrom(env);
  return defaultStore;
}

/** One sign-in attempt. Settle it with `recordAuthSuccess` or `recordAuthFailure`. */
export interface AuthAttempt {
  readonly allowed: boolean;
  readonly decision: RateLimitDecision;
  /** `RateLimit-Policy`, `RateLimit` and, when refused, `Retry-After`: add them to the response. */
  readonly headers: Headers;
}

interface Reservation {
  reservations: TierOutcome[];
  knownAddressKey: string | null;
  store: RateLimitStore;
  log: EdgeLogger;
  knownAddressTtlSeconds: number;
}

// What each open attempt reserved, out of the handler's reach: an attempt is settled once (the
// entry is deleted), so calling recordAuthSuccess twice cannot refund twice and buy a guess.
const open = new WeakMap<AuthAttempt, Reservation>();

/**
 * Check, and count, a sign-in attempt. `allowed: false` means answer with
 * `authAttemptRefusalError()` without looking at the password.
 */
export async function checkAuthAttempt(input: AuthAttemptInput, options: AuthAttemptOptions = {}): Promise<AuthAttempt> {
  const store = storeOf(options);
  const policies = options.policies ?? policiesFrom(env);
  const knownAddressTtlSeconds = options.knownAddressTtlSeconds ?? env.RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL;
  const log = options.log ?? edgeLogger(input.requestId ?? "-");
  const now = options.now ?? Date.now;

  const ipKey = rateLimitKeyForIp(input.ip);
  const account = await accountKey(input.email);

  const ipOutcome = await countOne(store, { policy: policies["auth-ip"], key: ipKey }, log);
  const outcomes: TierOutcome[] = [ipOutcome];
  // An unknown address (no trusted proxy header) is shared by everyone, so it can never be a
  // "known" address: otherwise one success would exempt every client from the account tier.
  const knownAddressKey = input.ip === null || knownAddressTtlSeconds === 0 ? null : `known:${account}:${ipKey}`;

  if (ipOutcome.status === "counted" && ipOutcome.result.allowed) {
    if (!(await isKnownAddress(store, knownAddressKey, log))) {
      outcomes.push(await countOne(store, { policy: policies["auth-account"], key: account }, log));
    }
  }

  const decision = decide(outcomes, now());
  const reservations = outcomes.filter((o) => o.status === "counted" && o.result.allowed);
  if (decision.outcome !== "allowed") {
    // This attempt never reaches the password check, so it is not a failure: give back what the
    // tiers that did allow it took, or the real user would pay for the attacker's lockout twice.
    await refund(store, reservations, log);
    log.info("sign-in attempt refused", { outcome: decision.outcome, tiers: decision.violated.join(","), retryAfter: decision.retryAfterSeconds });
  }
  const attempt: AuthAttempt = Object.freeze({ allowed: decision.outcome === "allowed", decision, headers: decision.headers });
  // A refused attempt reserved nothing (it was refunded above), so there is nothing to settle.
  if (attempt.allowed) open.set(attempt, { reservations, knownAddressKey, store, log, knownAddressTtlSeconds });
  return attempt;
}

/** The password was wrong: the attempt stays counted against the address and the account. */
export async function recordAuthFailure(attempt: AuthAttempt): Promise<void> {
  const reservation = open.get(attempt);
  if (reservation === undefined) return;
  open.delete(attempt);
  reservation.log.info("sign-in failure counted", { tiers: reservation.reservations.map((r) => r.policy.name).join(",") });
}

/** The password was right: refund the attempt and remember this address for this account. */
export async function recordAuthSuccess(attempt: AuthAttempt): Promise<void> {
  const reservation = open.get(attempt);
  if (reservation === undefined) return;
  open.delete(attempt);
  const { store, log, reservations, knownAddressKey, knownAddressTtlSeconds } = reservation;
  await refund(store, reservations, log);
  if (knownAddressKey !== null && knownAddressTtlSeconds > 0) {
    try {
      await store.remember(knownAddressKey, knownAddressTtlSeconds);
    } catch {
      // The sign-in itself succeeded; losing the exemption only matters during an attack.
      log.warn("rate-limit store unavailable; could not remember a known sign-in address");
    }
  }
}

/** 429 (limit reached) or 503 (store down, failing closed), with Retry-After, to throw. */
export function authAttemptRefusalError(attempt: AuthAttempt): AppError {
  if (attempt.decision.outcome === "allowed") throw new Error("authAttemptRefusalError() called for an allowed attempt");
  return rateLimitedError(attempt.decision, `Too many failed sign-in attempts. Try again in ${attempt.decision.retryAfterSeconds} seconds.`);
}

/** The same refusal as a problem+json response. */
export function authAttemptRefusal(attempt: AuthAttempt, requestId: string): Response {
  return problemResponse(authAttemptRefusalError(attempt), requestId);
}

async function isKnownAddress(store: RateLimitStore, key: string | null, log: EdgeLogger): Promise<boolean> {
  if (key === null) return false;
  try {
    return await store.recall(key);
  } catch {
    // Unknown is the safe answer: the account tier then applies (and fails closed if it is down).
    log.warn("could not check for a known sign-in address; treating it as unknown");
    return false;
  }
}

/** Give back what each reservation took, every tier in one store round trip (ADR 049). */
async function refund(store: RateLimitStore, reservations: readonly TierOutcome[], log: EdgeLogger): Promise<void> {
  if (reservations.length === 0) return;
  const answers = await hitEachOf(
    store,
    reservations.map(({ policy, key }) => ({ policy, key, cost: -1 })),
  );
  reservations.forEach((reservation, i) => {
    const answer = answers[i];
    // A lost refund leaves one extra failure counted: it errs against the client, never for an attacker.
    if (answer instanceof StoreUnavailableError) logOutage(log, reservation, answer);
  });
}
