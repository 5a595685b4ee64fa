import "server-only";
import { getDb } from "./client";

/** A real round trip to the database, not a cached flag. */
export async function pingDatabase(): Promise<void> {
  const db = await getDb();
  await db.$queryRaw`SELECT 1`;
}
