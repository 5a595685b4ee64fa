/**
 * Creates the suite's admin in DATA_DIR before the server opens the database: the embedded
 * database admits one process at a time, and public sign-up can never make an admin (by design),
 * so this is the only way in. Run by scripts/e2e-server.ts with the react-server condition, like
 * `npm run db:seed`.
 */
import { disconnectDb, getDb } from "../../../lib/db/client";
import { hashPassword } from "../../../lib/auth/password-hash";
import { ADMIN } from "./accounts";

async function main(): Promise<void> {
  const db = await getDb();
  await db.user.upsert({
    where: { email: ADMIN.email },
    // Verified: an account whose address no one proved cannot be made an admin (ADR 045).
    create: { email: ADMIN.email, name: ADMIN.name, role: "ADMIN", passwordHash: await hashPassword(ADMIN.password), emailVerifiedAt: new Date() },
    update: {},
    select: { id: true },
  });
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`seed-admin failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
