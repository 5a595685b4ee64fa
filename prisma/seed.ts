/**
 * `npm run db:seed`: a demo admin and a demo user, for trying the app locally.
 *
 * Their passwords are generated (24 random bytes, base64url: 192 bits) and printed once, on the
 * seed that creates them; they are never in the source. Running the seed again changes nothing.
 * It refuses to run in a deployment: demo accounts do not belong in production.
 */
import { randomBytes } from "node:crypto";
import { env } from "../lib/env";
import { disconnectDb, getDb } from "../lib/db/client";
import { hashPassword } from "../lib/auth/password-hash";

/* eslint-disable no-console -- a command-line script reports to its terminal */

const DEMO_USERS = [
  { email: "admin@example.com", name: "Demo Admin", role: "ADMIN" },
  { email: "user@example.com", name: "Demo User", role: "USER" },
] as const;

async function main(): Promise<void> {
  if (env.deployed) throw new Error("db:seed creates demo accounts and does not run in a deployment.");
  const db = await getDb();
  for (const demo of DEMO_USERS) {
    const existing = await db.user.findUnique({ where: { email: demo.email }, select: { id: true } });
    if (existing !== null) {
      console.log(`db:seed: ${demo.email} exists already; its password is unchanged.`);
      continue;
    }
    const password = randomBytes(24).toString("base64url");
    // Confirmed: the operator seeding a demo vouches for these addresses, which receive no mail (ADR 045).
    await db.user.create({ data: { ...demo, passwordHash: await hashPassword(password), emailVerifiedAt: new Date() }, select: { id: true } });
    console.log(`db:seed: created ${demo.role.toLowerCase()} ${demo.email} with password ${password}`);
  }
}

main()
  .catch((error: unknown) => {
    console.error(`db:seed failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
