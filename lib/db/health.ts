import "server-only";
import { z } from "zod";
import { getDb } from "./client";

/** A real round trip to the database, not a cached flag. */
export async function pingDatabase(): Promise<void> {
  const db = await getDb();
  await db.$queryRaw`SELECT 1`;
}

/** What `GET /api/health` answers when the database answered. */
export const HealthSchema = z.strictObject({ status: z.literal("ok"), db: z.literal("ok") });
