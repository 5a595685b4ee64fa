import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbeddedDatabase } from "@/lib/db/embedded";
import { loadMigrations, migrate, MigrationError, type Migration, type SqlExecutor } from "@/lib/db/migrate";
import { pgClientExecutor, pgliteExecutor } from "@/lib/db/sql-executor";
import { databaseKinds, provisionDatabase, type DatabaseKind, type ProvisionedDatabase } from "../support/databases";

const run = promisify(execFile);

interface Connected {
  db: SqlExecutor;
  close(): Promise<void>;
}

async function connect(database: ProvisionedDatabase): Promise<Connected> {
  if (database.kind === "pglite") {
    const embedded = await openEmbeddedDatabase(database.env.DATA_DIR as string);
    return { db: pgliteExecutor(embedded.db), close: () => embedded.close() };
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  return { db: pgClientExecutor(client), close: () => client.end() };
}

async function tableExists(db: SqlExecutor, table: string): Promise<boolean> {
  const rows = await db.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [`public."${table}"`]);
  return rows[0]?.exists === true;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fresh(kind: DatabaseKind): Promise<Connected> {
  const database = await provisionDatabase(kind, { migrated: false });
  cleanups.push(() => database.drop());
  const connected = await connect(database);
  cleanups.push(() => connected.close());
  return connected;
}

describe.each(databaseKinds())("migration runner on %s", (kind) => {
  it("applies every migration once and records it where Prisma looks for it", async () => {
    const { db } = await fresh(kind);
    const migrations = await loadMigrations();
    const first = await migrate(db, migrations);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    expect(await tableExists(db, "User")).toBe(true);

    const second = await migrate(db, migrations);
    expect(second).toEqual({ applied: [], alreadyApplied: migrations.length });

    const rows = await db.query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      `SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum, applied_steps_count: 1 })));
  });

  it("turns a user row left holding the retired SERVICE role into a disabled user, never a working account", async () => {
    const { db } = await fresh(kind);
    const migrations = await loadMigrations();
    const retirement = migrations.findIndex((migration) => migration.name.endsWith("_drop_service_role"));
    expect(retirement).toBeGreaterThan(0);
    await migrate(db, migrations.slice(0, retirement));
    await db.query(`INSERT INTO "User" (id, email, name, role, "updatedAt") VALUES ('svc', 'svc@example.com', 'Old service row', 'SERVICE', now())`);
    await db.query(`INSERT INTO "User" (id, email, name, role, "updatedAt") VALUES ('adm', 'adm@example.com', 'An admin', 'ADMIN', now())`);

    await migrate(db, migrations);
    const rows = await db.query<{ id: string; role: string; disabled: boolean }>(
      `SELECT id, role::text AS role, "disabledAt" IS NOT NULL AS disabled FROM "User" ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: "adm", role: "ADMIN", disabled: false },
      { id: "svc", role: "USER", disabled: true },
    ]);
    const labels = await db.query<{ label: string }>(
      `SELECT enumlabel AS label FROM pg_enum JOIN pg_type ON pg_type.oid = enumtypid WHERE typname = 'Role' ORDER BY enumsortorder`,
    );
    expect(labels.map((row) => row.label)).toEqual(["USER", "ADMIN"]);
  });

  it("rolls back a failing migration completely and records nothing", async () => {
    const { db } = await fresh(kind);
    const broken: Migration = {
      name: "99990101000000_broken",
      sql: 'CREATE TABLE "Half" (id int);\nINSERT INTO "Missing" VALUES (1);',
      checksum: "x".repeat(64),
    };
    await expect(migrate(db, [broken])).rejects.toBeInstanceOf(MigrationError);
    expect(await tableExists(db, "Half")).toBe(false);
    const rows = await db.query(`SELECT 1 FROM "_prisma_migrations"`);
    expect(rows).toEqual([]);
  });

  it("refuses to run when an applied migration was edited afterwards", async () => {
    const { db } = await fresh(kind);
    const migrations = await loadMigrations();
    await migrate(db, migrations);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(migrate(db, edited)).rejects.toThrow(/edited after it was applied/);
  });

  it("refuses to run past a migration that Prisma recorded as started but unfinished", async () => {
    const { db } = await fresh(kind);
    await migrate(db, []);
    await db.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('x', $1, 'half_done', now())`, ["0".repeat(64)]);
    await expect(migrate(db, await loadMigrations())).rejects.toThrow(/never finished/);
  });
});

describe.runIf(databaseKinds().includes("postgres"))("migration runner on postgres, concurrently", () => {
  it("serialises two deploys racing on one database: each migration is applied exactly once", async () => {
    const database = await provisionDatabase("postgres", { migrated: false });
    cleanups.push(() => database.drop());
    const [a, b] = await Promise.all([connect(database), connect(database)]);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const migrations = await loadMigrations();
    const [first, second] = await Promise.all([migrate(a.db, migrations), migrate(b.db, migrations)]);
    expect([...first.applied, ...second.applied].sort()).toEqual(migrations.map((m) => m.name));
    const rows = await a.db.query(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(rows).toHaveLength(migrations.length);
  });

  it("`npm run db:migrate` migrates the real Postgres named by DATABASE_URL", async () => {
    const database = await provisionDatabase("postgres", { migrated: false });
    cleanups.push(() => database.drop());
    const { stdout } = await run("npx", ["tsx", "scripts/db-migrate.ts"], {
      env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: "development" },
    });
    expect(stdout).toMatch(/DATABASE_URL: applied \d{14}_init/);
    const connected = await connect(database);
    cleanups.push(() => connected.close());
    expect(await tableExists(connected.db, "User")).toBe(true);
  });
});
