/** Settings the test server is started with (playwright.config.ts) that the tests also rely on. */

/** Access-token lifetime on the test server: short enough to watch a real expiry in one test. */
export const ACCESS_TOKEN_TTL_SECONDS = 20;

/** The sign-in failures an account may have per window before 429: the production default. */
export const AUTH_ACCOUNT_MAX = 5;

export const ACCESS_COOKIE = "__Host-palisade-at";
export const REFRESH_COOKIE = "__Secure-palisade-rt";
