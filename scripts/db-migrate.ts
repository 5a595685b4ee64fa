/**
 * `npm run db:migrate`: apply pending migrations to the database the environment names
 * (`DATABASE_URL`, else the embedded database). `npm run dev` and `npm start` run it with
 * `--embedded-only`, so a local run is always migrated while a real Postgres is migrated only
 * when asked (in the deploy's build step; see the README).
 */
import pg from "pg";
import { env } from "../lib/env";
import { openEmbeddedDatabase } from "../lib/db/embedded";
import { loadMigrations, migrate, type MigrateResult } from "../lib/db/migrate";
import { pgClientExecutor, pgliteExecutor } from "../lib/db/sql-executor";

/* eslint-disable no-console -- a command-line script reports to its terminal */

async function migrateEmbedded(): Promise<MigrateResult> {
  const embedded = await openEmbeddedDatabase(env.DATA_DIR);
  try {
    return await migrate(pgliteExecutor(embedded.db), await loadMigrations());
  } finally {
    await embedded.close();
  }
}

async function migratePostgres(url: string): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await migrate(pgClientExecutor(client), await loadMigrations());
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const embeddedOnly = process.argv.includes("--embedded-only");
  if (env.DATABASE_URL !== undefined && embeddedOnly) {
    console.log("db:migrate: DATABASE_URL is set; run `npm run db:migrate` to migrate it.");
    return;
  }
  const target = env.DATABASE_URL === undefined ? `embedded database in ${env.DATA_DIR}/pglite` : "DATABASE_URL";
  const result = env.DATABASE_URL === undefined ? await migrateEmbedded() : await migratePostgres(env.DATABASE_URL);
  const applied = result.applied.length === 0 ? "nothing new" : result.applied.join(", ");
  console.log(`db:migrate: ${target}: applied ${applied} (${result.alreadyApplied} already applied).`);
}

main().catch((error: unknown) => {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.cause instanceof Error) console.error(`  cause: ${error.cause.message}`);
  process.exit(1);
});
