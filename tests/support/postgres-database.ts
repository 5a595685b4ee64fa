/**
 * A fresh database on a real Postgres server, optionally migrated, and a way to drop it. Free of
 * the test runner, so the suites (./databases.ts) and the scan (scripts/scan/stack.ts) create
 * their databases the same way.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadMigrations, migrate } from "../../lib/db/migrate";
import { pgClientExecutor } from "../../lib/db/sql-executor";

export interface PostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

export function withDatabaseName(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createPostgresDatabase(adminUrl: string, options: { migrated: boolean; prefix?: string }): Promise<PostgresDatabase> {
  const name = `${options.prefix ?? "palisade_test"}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabaseName(adminUrl, name);
  if (options.migrated) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(pgClientExecutor(client), await loadMigrations());
    } finally {
      await client.end();
    }
  }
  return {
    url,
    async drop() {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      // FORCE ends any connection left open, so the drop cannot hang on it.
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    },
  };
}
