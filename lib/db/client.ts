/**
 * The Prisma client, wired to the database the environment names:
 * - `DATABASE_URL` set: a real Postgres through the pg driver adapter, with connect and query
 *   timeouts so an unreachable server fails fast (503) instead of hanging requests;
 * - unset: the embedded PGlite in `DATA_DIR/pglite` (local use only; lib/env.ts refuses it in a
 *   deployment).
 *
 * One client per process, kept on `globalThis` so that dev-server hot reloads reuse it rather
 * than opening a second connection pool, or a second handle on the embedded database.
 */
import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "../env";
import { log } from "../log";
import { PrismaClient } from "./generated/client";
import { openEmbeddedDatabase } from "./embedded";
import { pgliteAdapter } from "./pglite-adapter";
import { attachSqlRunner, pgliteRunner, pgPoolRunner } from "./sql";

export type Db = PrismaClient;

export interface DbHandle {
  prisma: Db;
  kind: "postgres" | "embedded";
  close(): Promise<void>;
}

export function postgresHandle(connectionString: string, poolMax: number): DbHandle {
  // One pool for the ORM and for the hot statements sent without it (./sql.ts), so the pool size
  // (DATABASE_POOL_MAX) still bounds this instance's connections.
  const pool = new pg.Pool({
    connectionString,
    max: poolMax,
    connectionTimeoutMillis: 5_000,
    // A statement running longer than this is a bug or an attack; stop it server-side.
    statement_timeout: 15_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server ends (a restart, a failover, a dropped database) is an event
  // on the pool; without a listener Node would treat it as an uncaught error and stop the process.
  // The pool discards that connection and opens another on the next query.
  pool.on("error", (error) => log.warn({ err: error }, "database connection closed by the server; the pool replaces it"));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  attachSqlRunner(prisma, pgPoolRunner(pool));
  return {
    prisma,
    kind: "postgres",
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export async function embeddedHandle(dataDir: string): Promise<DbHandle> {
  const embedded = await openEmbeddedDatabase(dataDir);
  const prisma = new PrismaClient({ adapter: pgliteAdapter(embedded.db) });
  attachSqlRunner(prisma, pgliteRunner(embedded.db));
  return {
    prisma,
    kind: "embedded",
    async close() {
      await prisma.$disconnect();
      await embedded.close();
    },
  };
}

const globalForDb = globalThis as typeof globalThis & { __palisadeDb?: Promise<DbHandle> };

/** The process's database handle, created on first use. */
export function getDbHandle(): Promise<DbHandle> {
  globalForDb.__palisadeDb ??= (
    env.DATABASE_URL === undefined ? embeddedHandle(env.DATA_DIR) : Promise.resolve(postgresHandle(env.DATABASE_URL, env.DATABASE_POOL_MAX))
  ).catch((error: unknown) => {
    // Do not cache a failure: the next request tries again.
    globalForDb.__palisadeDb = undefined;
    throw error;
  });
  return globalForDb.__palisadeDb;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).prisma;
}

/** Close the process's handle (graceful shutdown, and between test suites). */
export async function disconnectDb(): Promise<void> {
  const pending = globalForDb.__palisadeDb;
  globalForDb.__palisadeDb = undefined;
  if (pending !== undefined) await (await pending.catch(() => undefined))?.close();
}
