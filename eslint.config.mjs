import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // `any` needs a justification at the line that uses it (an eslint-disable comment says why).
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      "no-console": "error",
    },
  },
  {
    // Configuration is read once, validated, in lib/env.ts; nowhere else.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["lib/env.ts", "*.config.ts", "*.config.mts", "scripts/**", "tests/**", "bench/**"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through lib/env.ts." }],
    },
  },
  {
    // Every password check goes through lib/auth/password-attempt.ts: the sign-in limits, one
    // argon2 verification whether or not the account exists, and an audit event on failure.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["lib/auth/password-attempt.ts", "tests/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/password-hash", "@/lib/auth/password-hash"],
              importNames: ["verifyPassword"],
              message: "Check passwords with attemptPassword() from lib/auth/password-attempt.ts (docs/decisions/035-one-password-check.md).",
            },
            {
              group: ["**/password-attempt", "@/lib/auth/password-attempt"],
              importNames: ["checkCredentials"],
              message: "checkCredentials() has no sign-in limits; use attemptPassword() (docs/decisions/035-one-password-check.md).",
            },
          ],
        },
      ],
    },
  },
  globalIgnores([".next/**", ".next-*/**", "node_modules/**", ".data/**", "lib/db/generated/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
]);
