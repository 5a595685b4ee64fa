/**
 * The two database handles the migration runner and the embedded store use, behind one small
 * interface (`SqlExecutor` in migrate.ts): a PGlite instance, or a single pg client.
 */
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import type { SqlExecutor } from "./migrate";

export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    async query<R>(sql: string, params: unknown[] = []) {
      return (await db.query<R>(sql, params)).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

export function pgClientExecutor(client: pg.Client): SqlExecutor {
  return {
    async query<R>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as R[];
    },
    async exec(sql: string) {
      // No parameters: pg uses the simple query protocol, which accepts several statements.
      await client.query(sql);
    },
  };
}
