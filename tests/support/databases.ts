/**
 * A fresh, migrated database per test suite, on each engine the suite should cover: always the
 * embedded PGlite, and the real Postgres when it answers. Each one is dropped afterwards, so no
 * test depends on another's leftovers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject, vi } from "vitest";
import { openEmbeddedDatabase } from "@/lib/db/embedded";
import { loadMigrations, migrate } from "@/lib/db/migrate";
import { pgliteExecutor } from "@/lib/db/sql-executor";
import { createPostgresDatabase } from "./postgres-database";

export { withDatabaseName } from "./postgres-database";

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

/**
 * `adminUrl` defaults to the Postgres the integration setup found; a global setup, which runs
 * outside any test worker and so cannot `inject`, passes its own.
 */
export async function provisionDatabase(kind: DatabaseKind, options: { migrated?: boolean; adminUrl?: string | null } = {}): Promise<ProvisionedDatabase> {
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

  const adminUrl = options.adminUrl === undefined ? inject("postgresUrl") : options.adminUrl;
  if (adminUrl === null) throw new Error("Postgres is not reachable");
  const database = await createPostgresDatabase(adminUrl, { migrated });
  return { kind, url: database.url, env: { DATABASE_URL: database.url }, drop: database.drop };
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
