/**
 * How the end-to-end server is pointed at the test OpenID Connect provider. Shared by
 * playwright.config.ts (the server's environment) and tests/e2e/oauth.spec.ts (which starts the
 * provider), so both agree on the port and the client credentials. No dependencies: the
 * Playwright config loads it.
 */
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from "./oidc-config";

/** The button label the app shows for the test provider (AUTH_OIDC_NAME). */
export const E2E_OIDC_NAME = "Test IdP";

/**
 * The test provider's port: the app's port plus 90 (3501 → 3591), so parallel runs on different
 * app ports never share a provider. Loopback only.
 */
export function e2eOidcPort(appPort: number): number {
  return appPort + 90;
}

/**
 * The issuer on 127.0.0.1 while the app is on localhost: two different sites, as a real provider
 * and the app are, so the browser applies its cross-site cookie rules to the redirects.
 */
export function e2eOidcIssuer(appPort: number): string {
  return `http://127.0.0.1:${e2eOidcPort(appPort)}`;
}

/** The app server's OIDC variables for an end-to-end run on `appPort`. */
export function e2eOidcEnv(appPort: number): Record<string, string> {
  return {
    AUTH_OIDC_ISSUER: e2eOidcIssuer(appPort),
    AUTH_OIDC_ID: TEST_CLIENT_ID,
    AUTH_OIDC_SECRET: TEST_CLIENT_SECRET,
    AUTH_OIDC_NAME: E2E_OIDC_NAME,
    NEXTAUTH_SECRET: "end-to-end-broker-secret-0123456789abcdef",
  };
}
