/** Settings the test server is started with (playwright.config.ts) that the tests also rely on. */
import { e2eOidcEnv } from "../../support/oidc-e2e";

/** The port of the suite's own server, or of the proxy bench/scale-out.ts puts in its place. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);

/** The origin the suite's browsers use: the suite's own server, or one started elsewhere (E2E_BASE_URL). */
export const E2E_BASE_URL = process.env.E2E_BASE_URL ?? `http://localhost:${E2E_PORT}`;

/** Access-token lifetime on the test server: short enough to watch a real expiry in one test. */
export const ACCESS_TOKEN_TTL_SECONDS = 20;

/** The sign-in failures an account may have per window before 429: the production default. */
export const AUTH_ACCOUNT_MAX = 5;

export const ACCESS_COOKIE = "__Host-palisade-at";
export const REFRESH_COOKIE = "__Secure-palisade-rt";

/**
 * Where the suite's mail goes (./mail-catcher.ts): a real SMTP server on loopback at the app's
 * port plus 25 (3100 → 3125), and beside it the small HTTP API the tests read it through
 * (./mailbox.ts), plus 26. Derived from the port, like the OIDC provider's, so runs on
 * different app ports never share a mailbox.
 */
export function e2eMailPorts(appPort: number): { smtp: number; mailbox: number } {
  return { smtp: appPort + 25, mailbox: appPort + 26 };
}

/** The sender of the suite's mail, as a deployment's MAIL_FROM would name it. */
export const E2E_MAIL_FROM = "Palisade <no-reply@e2e.test>";

/**
 * The limits and lifetimes of every end-to-end instance whose limits are lifted: the suite's own
 * server and the relay-less one beside it (./outbox-server.ts).
 */
export function e2eLimitsEnv(): Record<string, string> {
  return {
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // Short-lived access tokens, so the suite sees real expiry and silent refresh within a test.
    ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL_SECONDS),
    // Every request of the suite comes from one address; these tiers would otherwise throttle
    // the suite itself. The per-account sign-in limit stays at its real value of 5, so the
    // rate-limit journey meets the production rule, and so does the per-recipient mail limit
    // (3 per 15 minutes): every test mails addresses of its own.
    RATE_LIMIT_GLOBAL_MAX: "100000",
    RATE_LIMIT_USER_MAX: "100000",
    RATE_LIMIT_REFRESH_MAX: "100000",
    RATE_LIMIT_CREDENTIAL_MAX: "100000",
    RATE_LIMIT_AUTH_MAX: "100000",
    RATE_LIMIT_AUTH_ACCOUNT_MAX: String(AUTH_ACCOUNT_MAX),
    RATE_LIMIT_MAIL_IP_MAX: "100000",
  };
}

/** The app's relay: the suite's SMTP peer for an app on `appPort`. Plain SMTP, which only loopback may use. */
export function e2eMailEnv(appPort: number): Record<string, string> {
  return { SMTP_URL: `smtp://127.0.0.1:${e2eMailPorts(appPort).smtp}`, MAIL_FROM: E2E_MAIL_FROM };
}

/**
 * The app's variables for an end-to-end run on `port`, besides where it listens and keeps data:
 * the suite's own server (playwright.config.ts), and the two instances bench/scale-out.ts runs
 * the suite against. Whoever starts the app also starts the mail peer (startMailCatcher).
 */
export function e2eAppEnv(port: number): Record<string, string> {
  return {
    ...e2eLimitsEnv(),
    // Mail goes to a real SMTP server on loopback, which the tests read (./mailbox.ts).
    ...e2eMailEnv(port),
    // The generic OIDC provider, pointed at the test provider tests/e2e/oauth.spec.ts starts.
    ...e2eOidcEnv(port),
  };
}
