import { json, route } from "@/lib/http/handler";
import { pingDatabase } from "@/lib/db/health";

export const access = "public";

/** Public: liveness plus a real database round trip. Answers 503 problem+json when the database is down. */
export const GET = route(async () => {
  await pingDatabase();
  return json({ status: "ok", db: "ok" });
});
