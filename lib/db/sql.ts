/**
 * Raw SQL for the few statements on every request's path: the session check behind each
 * authenticated call, a refresh's rotation and a sign-in's new session (ADR 048).
 *
 * Why not the ORM there: each ORM operation costs several hundred microseconds of CPU in this
 * process (its query compiler and driver adapter), against about fifty for the same statement
 * sent by the driver itself (bench/hot-paths.ts measures both in one run). Everywhere else the
 * ORM stays: its typed, owner-scoped queries are the clearer code, and off the hot path the
 * difference does not matter.
 *
 * Rules for the statements sent through here:
 * - Values travel only as parameters (`$1`, `$2`, …); no statement is built from input.
 * - The same text on every engine: the real Postgres through the pool the ORM also uses, the
 *   embedded PGlite through its own handle, or (a client this module was not told about, such as
 *   a test's own) the ORM's raw query call. One text, three drivers, one result shape.
 * - Timestamps: the schema stores `timestamp` without a time zone, in UTC. A `Date` is sent as its
 *   ISO string (drivers differ in how they write a `Date`, some in local time) and cast with
 *   `::timestamp`, which keeps the wall-clock UTC time; a timestamp is read back as
 *   `col AT TIME ZONE 'UTC'` (a `timestamptz`), which every driver turns into the right `Date`.
 * - No named prepared statements: a transaction-mode connection pooler in front of Postgres (the
 *   usual setup on serverless hosts) cannot keep a statement prepared on one connection for the
 *   next transaction, and the saving measured here was small.
 */
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import type { Db } from "./client";
import type { Prisma } from "./generated/client";

export type SqlValue = string | number | boolean | null | Date | readonly string[];

export interface SqlRunner {
  /** Run one statement with positional parameters; the rows it returns. */
  query<R>(text: string, values: readonly SqlValue[]): Promise<R[]>;
}

const runners = new WeakMap<object, SqlRunner>();

/** Tell this module which driver sits under an ORM client, so its hot statements skip the ORM. */
export function attachSqlRunner(db: Db, runner: SqlRunner): void {
  runners.set(db, runner);
}

/**
 * The fastest way to send raw SQL to the database behind `db`. A transaction client is never
 * attached, so its statements go through the ORM's raw call and run inside its transaction.
 */
export function sqlFor(db: Db | Prisma.TransactionClient): SqlRunner {
  return runners.get(db) ?? ormRunner(db);
}

function toParameter(value: SqlValue): string | number | boolean | null | readonly string[] {
  return value instanceof Date ? value.toISOString() : value;
}

export function pgPoolRunner(pool: pg.Pool): SqlRunner {
  return {
    async query<R>(text: string, values: readonly SqlValue[]) {
      const result = await pool.query(text, values.map(toParameter));
      return result.rows as R[];
    },
  };
}

export function pgliteRunner(db: PGlite): SqlRunner {
  return {
    async query<R>(text: string, values: readonly SqlValue[]) {
      return (await db.query<R>(text, values.map(toParameter))).rows;
    },
  };
}

function ormRunner(db: Db | Prisma.TransactionClient): SqlRunner {
  return {
    async query<R>(text: string, values: readonly SqlValue[]) {
      return db.$queryRawUnsafe<R[]>(text, ...values.map(toParameter));
    },
  };
}
