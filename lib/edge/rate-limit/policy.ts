/**
 * Rate-limit policy: which tiers apply to a request, what each is keyed on, what happens when the
 * shared store is down, and how the outcome is told to the client. Pure: no I/O, no clock of its
 * own, so every rule here is tested without a store.
 *
 * Threat: without limits, an API is a free oracle. Passwords are guessed online, tokens and
 * endpoints are brute-forced, and one client can exhaust capacity for everyone (OWASP API
 * Security Top 10 2023, API4: Unrestricted Resource Consumption).
 *
 * The tiers (the source article's three, plus one for token refresh and one for the requests
 * that make the server hash a secret; every number is a RATE_LIMIT_* variable in lib/env.ts):
 * | tier           | default            | key                              | counted where          | store down |
 * |----------------|--------------------|----------------------------------|------------------------|------------|
 * | `global`       | 3,000 per 15 min   | client IP (/64 for IPv6)         | edge, every request¹   | open       |
 * | `user`         | 30 per minute      | verified user ID, else client IP | edge, protected API    | open       |
 * | `refresh`      | 10 per 15 min      | the refresh token's id, else IP  | edge, POST refresh     | open       |
 * | `credential`   | 100 per 15 min     | client IP (/64 for IPv6)         | edge, POST that hashes²| open       |
 * | `auth-ip`      | 5 failures/15 min  | client IP                        | login handler          | closed     |
 * | `auth-account` | 5 failures/15 min  | SHA-256 of the normalised email  | login handler          | closed     |
 * | `mail-ip`      | 30 per 15 min      | client IP                        | handlers that mail³    | closed     |
 * | `mail-address` | 3 per 15 min       | SHA-256 of the recipient address | handlers that mail³    | closed     |
 * | `second-factor`| 5 failures/15 min  | user ID                          | second-factor checks⁴  | closed     |
 * ¹ But a GET or HEAD of the app's icon files (STATIC_METADATA_FILES). The source article's 100
 * per 15 minutes let one person be refused within four minutes of ordinary use: a browser sends
 * about 180 counted requests in a quarter of an hour of use, and an office shares one address.
 * The measurement and the new default: docs/decisions/019-a-global-limit-sized-for-people.md.
 * ² Sign-up, sign-in, the client-credentials grant and the link confirmation (the routes marked
 * `credential` in ../routes.ts): the article's 100 per 15 minutes still bounds, per address, the
 * argon2 work an anonymous caller can ask for, which the raised global tier no longer does.
 * ³ Sign-up, forgot password, a new confirmation link and an address change: each mails a link,
 * so both tiers count every such request, for a known address or not (./mail-sends.ts).
 * ⁴ Sign-in's second step, the step-up and the factor management checks: one budget per account,
 * counted like password failures (../../auth/mfa/second-factor-attempts.ts; ADR 047).
 * Why each failure policy: docs/decisions/011-rate-limit-store-failure-policy.md. The auth tiers
 * count failures only (successes are refunded); see ./auth-attempts.ts and ADR 012.
 *
 * Responses use the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10), never the
 * legacy `X-RateLimit-*`: `RateLimit-Policy: "global";q=3000;w=900` states the quota and
 * `RateLimit: "global";r=97;t=840` what is left and when more arrives.
 */
import type { Env } from "../../env";
import type { RouteClass } from "../routes";

export const TIER_NAMES = ["global", "user", "refresh", "credential", "auth-ip", "auth-account", "mail-ip", "mail-address", "second-factor"] as const;
export type TierName = (typeof TIER_NAMES)[number];

/** open: let the request through (and log); closed: refuse it with 503 (and log). */
export type FailMode = "open" | "closed";

export interface TierPolicy {
  name: TierName;
  /** Requests (or, for the auth tiers, failures) allowed per window. */
  limit: number;
  windowSeconds: number;
  failMode: FailMode;
}

export type TierPolicies = Readonly<Record<TierName, TierPolicy>>;

/** The failure policy of each tier when the shared store errors or times out (ADR 011). */
export const FAIL_MODES: Readonly<Record<TierName, FailMode>> = {
  global: "open",
  user: "open",
  refresh: "open",
  credential: "open",
  "auth-ip": "closed",
  "auth-account": "closed",
  // Open, a store outage would let anyone flood a mailbox through us.
  "mail-ip": "closed",
  "mail-address": "closed",
  // Open, an outage would lift the only bound on guessing a six-digit code.
  "second-factor": "closed",
};

type LimitEnv = Pick<
  Env,
  | "RATE_LIMIT_GLOBAL_MAX"
  | "RATE_LIMIT_GLOBAL_WINDOW"
  | "RATE_LIMIT_USER_MAX"
  | "RATE_LIMIT_USER_WINDOW"
  | "RATE_LIMIT_REFRESH_MAX"
  | "RATE_LIMIT_REFRESH_WINDOW"
  | "RATE_LIMIT_CREDENTIAL_MAX"
  | "RATE_LIMIT_CREDENTIAL_WINDOW"
  | "RATE_LIMIT_AUTH_MAX"
  | "RATE_LIMIT_AUTH_ACCOUNT_MAX"
  | "RATE_LIMIT_AUTH_WINDOW"
  | "RATE_LIMIT_MAIL_IP_MAX"
  | "RATE_LIMIT_MAIL_ADDRESS_MAX"
  | "RATE_LIMIT_MAIL_WINDOW"
  | "RATE_LIMIT_SECOND_FACTOR_MAX"
  | "RATE_LIMIT_SECOND_FACTOR_WINDOW"
>;

export function policiesFrom(env: LimitEnv): TierPolicies {
  const tier = (name: TierName, limit: number, windowSeconds: number): TierPolicy => ({ name, limit, windowSeconds, failMode: FAIL_MODES[name] });
  return {
    global: tier("global", env.RATE_LIMIT_GLOBAL_MAX, env.RATE_LIMIT_GLOBAL_WINDOW),
    user: tier("user", env.RATE_LIMIT_USER_MAX, env.RATE_LIMIT_USER_WINDOW),
    refresh: tier("refresh", env.RATE_LIMIT_REFRESH_MAX, env.RATE_LIMIT_REFRESH_WINDOW),
    credential: tier("credential", env.RATE_LIMIT_CREDENTIAL_MAX, env.RATE_LIMIT_CREDENTIAL_WINDOW),
    "auth-ip": tier("auth-ip", env.RATE_LIMIT_AUTH_MAX, env.RATE_LIMIT_AUTH_WINDOW),
    "auth-account": tier("auth-account", env.RATE_LIMIT_AUTH_ACCOUNT_MAX, env.RATE_LIMIT_AUTH_WINDOW),
    "mail-ip": tier("mail-ip", env.RATE_LIMIT_MAIL_IP_MAX, env.RATE_LIMIT_MAIL_WINDOW),
    "mail-address": tier("mail-address", env.RATE_LIMIT_MAIL_ADDRESS_MAX, env.RATE_LIMIT_MAIL_WINDOW),
    "second-factor": tier("second-factor", env.RATE_LIMIT_SECOND_FACTOR_MAX, env.RATE_LIMIT_SECOND_FACTOR_WINDOW),
  };
}

/** One thing to count: a tier and the key it is counted under. */
export interface TierHit {
  policy: TierPolicy;
  key: string;
}

export interface EdgeTierInput {
  route: RouteClass;
  method: string;
  /** From `rateLimitKeyForIp()`: the client IP, its /64, or the shared unknown key. */
  ipKey: string;
  /** The subject of a *verified* access token, or null. */
  userId: string | null;
  /** The id half of the refresh cookie (`<id>.<secret>`), or null. */
  refreshTokenId: string | null;
}

/** The tiers the middleware counts for a request. The auth tiers are the login handler's. */
export function edgeTiers(input: EdgeTierInput, policies: TierPolicies): TierHit[] {
  const hits: TierHit[] = [];
  // Only a read of the prebuilt icon itself goes uncounted; any other method is an odd request
  // that costs a handler's 405, and counts.
  const iconRead = input.route.staticFile && (input.method === "GET" || input.method === "HEAD");
  if (!iconRead) hits.push({ policy: policies.global, key: input.ipKey });
  if (input.route.api && !input.route.public) {
    // The subject comes only from a verified token; an unverified one is just attacker input.
    hits.push({ policy: policies.user, key: input.userId === null ? input.ipKey : `user:${input.userId}` });
  }
  if (input.route.credential && input.method === "POST") hits.push({ policy: policies.credential, key: input.ipKey });
  if (input.route.refresh && input.method === "POST") {
    hits.push({ policy: policies.refresh, key: input.refreshTokenId === null ? input.ipKey : `rt:${input.refreshTokenId}` });
  }
  return hits;
}

// The refresh cookie's id half, as lib/auth/sessions.ts mints it (base64url). Anything else is
// keyed by IP instead, so a crafted cookie cannot pick an arbitrary store key.
const REFRESH_TOKEN = /^([A-Za-z0-9_-]{16,64})\.[A-Za-z0-9_-]{16,128}$/;

export function refreshTokenId(cookieValue: string | undefined): string | null {
  if (cookieValue === undefined) return null;
  return REFRESH_TOKEN.exec(cookieValue)?.[1] ?? null;
}

/** A store's answer for one tier and key. `resetAt` is a Unix time in milliseconds. */
export interface LimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: number;
}

export type TierOutcome = TierHit & ({ status: "counted"; result: LimitResult } | { status: "unavailable" });

export type RateLimitDecision =
  | { outcome: "allowed"; headers: Headers; outcomes: TierOutcome[] }
  | { outcome: "limited"; headers: Headers; outcomes: TierOutcome[]; retryAfterSeconds: number; violated: TierName[] }
  | { outcome: "unavailable"; headers: Headers; outcomes: TierOutcome[]; retryAfterSeconds: number; violated: TierName[] };

/** What a client is told to wait when a fail-closed tier's store is down. */
export const STORE_DOWN_RETRY_AFTER_SECONDS = 10;

/** Seconds from `now` until `resetAt`, rounded up: a client waiting this long is never early. */
export function secondsUntil(resetAt: number, now: number): number {
  return Math.max(0, Math.ceil((resetAt - now) / 1000));
}

/** An sf-string item name; tier names are plain ASCII, so quoting is all it takes. */
function item(name: string): string {
  return `"${name}"`;
}

/** `RateLimit-Policy` and `RateLimit` for these outcomes (draft-ietf-httpapi-ratelimit-headers-10 §3, §4). */
export function rateLimitHeaders(outcomes: readonly TierOutcome[], now: number): Headers {
  const headers = new Headers();
  if (outcomes.length === 0) return headers;
  headers.set("ratelimit-policy", outcomes.map(({ policy }) => `${item(policy.name)};q=${policy.limit};w=${policy.windowSeconds}`).join(", "));
  const current = outcomes.flatMap((outcome) =>
    // A tier whose store did not answer has no known state: it is left out rather than guessed.
    outcome.status === "counted"
      ? [`${item(outcome.policy.name)};r=${Math.max(0, outcome.result.remaining)};t=${secondsUntil(outcome.result.resetAt, now)}`]
      : [],
  );
  if (current.length > 0) headers.set("ratelimit", current.join(", "));
  return headers;
}

/**
 * Combine the tiers' outcomes: refused if any counted tier refused (429), or if a fail-closed
 * tier could not be counted (503); allowed otherwise. `Retry-After` is the latest reset among the
 * refusing tiers, so it never points earlier than any `t` in the `RateLimit` field.
 */
export function decide(outcomes: TierOutcome[], now: number): RateLimitDecision {
  const headers = rateLimitHeaders(outcomes, now);
  const refused = outcomes.filter((o): o is TierOutcome & { status: "counted" } => o.status === "counted" && !o.result.allowed);
  if (refused.length > 0) {
    const retryAfterSeconds = Math.max(1, ...refused.map((o) => secondsUntil(o.result.resetAt, now)));
    headers.set("retry-after", String(retryAfterSeconds));
    return { outcome: "limited", headers, outcomes, retryAfterSeconds, violated: refused.map((o) => o.policy.name) };
  }
  const closed = outcomes.filter((o) => o.status === "unavailable" && o.policy.failMode === "closed");
  if (closed.length > 0) {
    headers.set("retry-after", String(STORE_DOWN_RETRY_AFTER_SECONDS));
    return {
      outcome: "unavailable",
      headers,
      outcomes,
      retryAfterSeconds: STORE_DOWN_RETRY_AFTER_SECONDS,
      violated: closed.map((o) => o.policy.name),
    };
  }
  return { outcome: "allowed", headers, outcomes };
}
