import { defineConfig, devices } from "@playwright/test";
import { findBrowser } from "./scripts/find-browser";
import { ACCESS_TOKEN_TTL_SECONDS, AUTH_ACCOUNT_MAX } from "./tests/e2e/support/server-env";
import { e2eOidcEnv } from "./tests/support/oidc-e2e";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE_URL = `http://localhost:${PORT}`;
const executablePath = findBrowser(process.env.CHROMIUM_PATH);

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: process.env.CI === "true",
  // No retries: a flaky test is a bug to find, not to hide.
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          ...(executablePath === undefined ? {} : { executablePath }),
          // A closed network: without these, Chromium keeps trying to reach update and sync hosts.
          args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        },
      },
    },
  ],
  webServer: {
    command: "tsx scripts/e2e-server.ts",
    url: `${BASE_URL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      APP_URL: BASE_URL,
      PORT: String(PORT),
      DATA_DIR: `.data/e2e-${PORT}`,
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
      RATE_LIMIT_AUTH_MAX: "100000",
      RATE_LIMIT_AUTH_ACCOUNT_MAX: String(AUTH_ACCOUNT_MAX),
      // The generic OIDC provider, pointed at the test provider tests/e2e/oauth.spec.ts starts.
      ...e2eOidcEnv(PORT),
    },
  },
});
