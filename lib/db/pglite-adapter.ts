import type { PGlite } from "@electric-sql/pglite";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";

/**
 * pglite-prisma-adapter 0.6 is typed against @prisma/driver-adapter-utils 6.10, whose `ArgType`
 * declaration changed shape by 6.19. The adapter never reads `argTypes`, so the runtime contract
 * is unchanged; the integration tests run every query path through it.
 */
export function pgliteAdapter(db: PGlite): SqlDriverAdapterFactory {
  return new PrismaPGlite(db) as unknown as SqlDriverAdapterFactory;
}
