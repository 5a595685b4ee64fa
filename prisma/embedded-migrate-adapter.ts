/**
 * The driver adapter the Prisma CLI uses (prisma.config.ts), for *authoring* migrations
 * (`npm run db:migration:new` runs `prisma migrate diff`); migrations are *applied* by our own
 * runner, lib/db/migrate.ts, to both PGlite and Postgres (docs/decisions/001-…md).
 *
 * Both the "main" and the shadow database are throwaway in-memory PGlite instances: Prisma
 * replays the existing migrations into the shadow and diffs it against schema.prisma. Your
 * `.data/` database is never opened, so a running dev server is safe.
 *
 * pglite-prisma-adapter 0.6.1 needs two repairs for Migrate:
 * - Migrate sends whole multi-statement scripts through `executeRaw` with no arguments; PGlite's
 *   extended protocol refuses those ("cannot insert multiple commands into a prepared
 *   statement"), so argument-less statements go through `exec` (the simple protocol).
 * - its `executeScript` does not await `exec`, so a failing script would pass silently.
 */
import { PGlite } from "@electric-sql/pglite";
import { pgliteAdapter } from "../lib/db/pglite-adapter";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

async function connectRepaired(db: PGlite, closeOnDispose: boolean): Promise<SqlDriverAdapter> {
  const adapter = await pgliteAdapter(db).connect();
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    if (query.args.length > 0) return executeRaw(query);
    const results = await db.exec(query.sql);
    return results.reduce((rows, result) => rows + (result.affectedRows ?? 0), 0);
  };
  adapter.executeScript = async (script) => {
    await db.exec(script);
  };
  // The shared main database outlives each connection; only a shadow database is closed here.
  adapter.dispose = closeOnDispose ? () => db.close() : async () => undefined;
  return adapter;
}

export function embeddedMigrateAdapter(): SqlMigrationAwareDriverAdapterFactory {
  // Prisma may call connect() more than once per command; all calls share one database.
  let main: Promise<PGlite> | undefined;
  return {
    provider: "postgres",
    adapterName: "pglite-prisma-adapter",
    async connect() {
      main ??= PGlite.create();
      return connectRepaired(await main, false);
    },
    async connectToShadowDb() {
      return connectRepaired(await PGlite.create(), true);
    },
  };
}
