/**
 * Applies `prisma/migrations/*\/migration.sql` to a database, in order, once each.
 *
 * Why our own runner (docs/decisions/001-prisma-6-19-with-the-ts-schema-engine.md): Prisma's
 * `migrate deploy` needs either a native engine (which this project never downloads) or a driver
 * adapter, and the pg adapter of Prisma 6.19 cannot run Migrate (prisma/orm#27403). Deploying
 * is the simple half of Migrate: run each new SQL file in a transaction and record it. This
 * module does exactly that and nothing more, for both the embedded PGlite and a real Postgres.
 *
 * It keeps Prisma's own bookkeeping table, `_prisma_migrations`, with the same columns and the
 * same checksum (SHA-256 of the file), so `prisma migrate dev` and `migrate status` agree with it.
 *
 * Safety:
 * - each migration runs in one transaction: Postgres DDL is transactional, so a failing
 *   migration leaves no half-applied schema and records nothing;
 * - an advisory lock serialises concurrent deploys (two instances booting at once);
 * - a migration edited after it was applied, or a half-finished one recorded by Prisma,
 *   stops the run instead of being silently skipped.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** The two calls the runner needs; both PGlite and a pg client provide them (see sql-executor.ts). */
export interface SqlExecutor {
  /** Run one parameterised statement. */
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Run a script of several statements, with no parameters. */
  exec(sql: string): Promise<void>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

// Any fixed key works, as long as every instance of the app uses the same one.
const ADVISORY_LOCK_KEY = 7_072_617_001;

// Prisma's own DDL for its bookkeeping table, so the Prisma CLI can read what we write.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

export function checksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** The migration folders, sorted by name (Prisma names them with a timestamp prefix). */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: checksum(sql) };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
}

export async function migrate(db: SqlExecutor, migrations: Migration[]): Promise<MigrateResult> {
  await db.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
  try {
    await db.exec(CREATE_TABLE);
    const rows = await db.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const unfinished = rows.find((row) => row.finished_at === null);
    if (unfinished !== undefined) {
      throw new MigrationError(
        `Migration ${unfinished.migration_name} started but never finished. Inspect the database, then mark it ` +
          "resolved with `prisma migrate resolve` before deploying again.",
      );
    }
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));

    const result: MigrateResult = { applied: [], alreadyApplied: 0 };
    for (const migration of migrations) {
      const recorded = applied.get(migration.name);
      if (recorded !== undefined) {
        if (recorded !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was edited after it was applied (checksum mismatch). ` + "Never edit an applied migration; add a new one instead.",
          );
        }
        result.alreadyApplied++;
        continue;
      }
      await applyOne(db, migration);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await db.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
  }
}

async function applyOne(db: SqlExecutor, migration: Migration): Promise<void> {
  await db.exec("BEGIN");
  try {
    await db.exec(migration.sql);
    await db.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await db.exec("COMMIT");
  } catch (error) {
    await db.exec("ROLLBACK");
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back; the database is unchanged.`, {
      cause: error,
    });
  }
}
