/**
 * A fresh, migrated database per test suite, on each engine the suite should cover: always the
 * embedded PGlite, and the real Postgres when it answers. Each one is dropped afterwards, so no
 * test depends on another's leftovers.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { inject, vi } from "vitest";
import { openEmbeddedDatabase } from "@/lib/db/embedded";
import { loadMigrations, migrate } from "@/lib/db/migrate";
import { pgClientExecutor, pgliteExecutor } from "@/lib/db/sql-executor";

export type DatabaseKind = "pglite" | "postgres";

export interface ProvisionedDatabase {
  kind: DatabaseKind;
  /** The variables that point the app at this database. */
  env: Record<string, string | undefined>;
  /** For Postgres: the database URL (for direct pg access in a test). */
  url?: string;
  drop(): Promise<void>;
}

/** The engines to run database tests on: PGlite always, Postgres when it is reachable. */
export function databaseKinds(): DatabaseKind[] {
  return inject("postgresUrl") === null ? ["pglite"] : ["pglite", "postgres"];
}

export function withDatabaseName(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function provisionDatabase(kind: DatabaseKind, options: { migrated?: boolean } = {}): Promise<ProvisionedDatabase> {
  const migrated = options.migrated ?? true;
  if (kind === "pglite") {
    const dataDir = await mkdtemp(path.join(tmpdir(), "palisade-test-"));
    if (migrated) {
      const embedded = await openEmbeddedDatabase(dataDir);
      try {
        await migrate(pgliteExecutor(embedded.db), await loadMigrations());
      } finally {
        await embedded.close();
      }
    }
    return {
      kind,
      env: { DATA_DIR: dataDir, DATABASE_URL: undefined },
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  }

  const adminUrl = inject("postgresUrl");
  if (adminUrl === null) throw new Error("Postgres is not reachable");
  const name = `palisade_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabaseName(adminUrl, name);
  if (migrated) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(pgClientExecutor(client), await loadMigrations());
    } finally {
      await client.end();
    }
  }
  return {
    kind,
    url,
    env: { DATABASE_URL: url },
    async drop() {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      // FORCE ends any connection a test left open, so the drop cannot hang on it.
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/**
 * Point freshly imported app modules at `database`: stubs the environment and resets the module
 * registry, so the next `await import(...)` of app code reads this configuration.
 */
export async function useDatabase(database: ProvisionedDatabase): Promise<void> {
  const { disconnectDb } = await import("@/lib/db/client");
  await disconnectDb();
  vi.resetModules();
  for (const [key, value] of Object.entries(database.env)) vi.stubEnv(key, value);
}
