import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { HealthSchema, pingDatabase } from "@/lib/db/health";

/** Liveness plus a real database round trip. Answers 503 problem+json when the database is down. */
export const GET = endpoint(
  {
    summary: "Liveness, with a database round trip",
    access: { public: "liveness probe" },
    // The probe reaches the database itself, so that an outage is its answer, not an error before it.
    database: false,
    responses: { 200: { description: "The app and its database answer", schema: HealthSchema } },
  },
  async () => {
    await pingDatabase();
    return json({ status: "ok", db: "ok" });
  },
);
