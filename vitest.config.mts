import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` throws outside React's server condition; tests run server code directly.
      "server-only": path.join(root, "tests/support/empty-module.ts"),
    },
  },
  test: {
    environment: "node",
    setupFiles: ["tests/support/fail-on-console-error.ts"],
    env: { LOG_LEVEL: "silent", NODE_ENV: "test" },
    reporters: process.env.CI === "true" ? ["verbose"] : ["default"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/support/integration-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // Black-box attacks on a production build (tests/security/support/global-setup.ts).
          name: "security",
          include: ["tests/security/**/*.test.ts"],
          globalSetup: ["tests/security/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One app instance serves every file; two files at a time keep a 2-core machine responsive.
          maxWorkers: 2,
        },
      },
    ],
  },
});
