/** Settings the test server is started with (playwright.config.ts) that the tests also rely on. */
import { e2eOidcEnv } from "../../support/oidc-e2e";

/** Access-token lifetime on the test server: short enough to watch a real expiry in one test. */
export const ACCESS_TOKEN_TTL_SECONDS = 20;

/** The sign-in failures an account may have per window before 429: the production default. */
export const AUTH_ACCOUNT_MAX = 5;

export const ACCESS_COOKIE = "__Host-palisade-at";
export const REFRESH_COOKIE = "__Secure-palisade-rt";

/**
 * The app's variables for an end-to-end run on `port`, besides where it listens and keeps data:
 * the suite's own server (playwright.config.ts), and the two instances bench/scale-out.ts runs
 * the suite against.
 */
export function e2eAppEnv(port: number): Record<string, string> {
  return {
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // Short-lived access tokens, so the suite sees real expiry and silent refresh within a test.
    ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL_SECONDS),
    // Every request of the suite comes from one address; these tiers would otherwise throttle
    // the suite itself. The per-account sign-in limit stays at its real value of 5, so the
    // rate-limit journey meets the production rule.
    RATE_LIMIT_GLOBAL_MAX: "100000",
    RATE_LIMIT_USER_MAX: "100000",
    RATE_LIMIT_REFRESH_MAX: "100000",
    RATE_LIMIT_CREDENTIAL_MAX: "100000",
    RATE_LIMIT_AUTH_MAX: "100000",
    RATE_LIMIT_AUTH_ACCOUNT_MAX: String(AUTH_ACCOUNT_MAX),
    // The generic OIDC provider, pointed at the test provider tests/e2e/oauth.spec.ts starts.
    ...e2eOidcEnv(port),
  };
}
