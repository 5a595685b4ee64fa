/**
 * Accounts for the end-to-end suite. The data directory is wiped before every run
 * (scripts/e2e-server.ts), so these exist only in a throwaway database on loopback.
 */

/** The one admin, created by ./seed-admin.ts before the server starts. */
export const ADMIN = {
  email: "admin@e2e.test",
  name: "Erin Admin",
  password: "granite lighthouse over quiet harbours",
} as const;

/** A password every test user shares: long, no composition tricks, not on the common list. */
export const PASSWORD = "violet tundra marching under lanterns";

let counter = 0;

/** A fresh address per call, so no test depends on another's leftovers. */
export function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${process.pid}-${counter}@e2e.test`;
}
