import { defineConfig, devices } from "@playwright/test";
import { findBrowser } from "./scripts/find-browser";
import { E2E_PORT, e2eAppEnv } from "./tests/e2e/support/server-env";

const PORT = E2E_PORT;
// A server started elsewhere (bench/scale-out.ts: a proxy in front of two instances on E2E_PORT)
// replaces the suite's own; it must be configured as webServer.env below configures ours.
const EXTERNAL_BASE_URL = process.env.E2E_BASE_URL;
const BASE_URL = EXTERNAL_BASE_URL ?? `http://localhost:${PORT}`;
const executablePath = findBrowser(process.env.CHROMIUM_PATH);

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: process.env.CI === "true",
  // No retries: a flaky test is a bug to find, not to hide.
  retries: 0,
  // The JSON report is the end-to-end evidence `npm run scorecard` joins (scripts/scorecard.ts).
  reporter: [["list"], ["json", { outputFile: "test-results/security/e2e-results.json" }]],
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
  webServer:
    EXTERNAL_BASE_URL !== undefined
      ? undefined
      : {
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
            ...e2eAppEnv(PORT),
          },
        },
});
