import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { PruneReportSchema } from "@/lib/db/prune";
import { requireCronSecret, runScheduledPrune } from "@/lib/db/scheduled-prune";

/** Seconds the platform lets this run; the prune stops starting batches well before. */
export const maxDuration = 60;
const BUDGET_MS = 45_000;

/**
 * Public at the edge; CRON_SECRET authenticates it (vercel.json schedules it daily). Deletes what
 * retention no longer needs, in bounded batches, and answers what it deleted; `complete: false`
 * means the time ran out and the next run carries on. See lib/db/prune.ts.
 */
export const GET = endpoint(
  {
    summary: "Run the scheduled retention prune",
    description: "Called by the platform's scheduler with `Authorization: Bearer <CRON_SECRET>`. Without CRON_SECRET configured the route does not exist.",
    access: { public: "CRON_SECRET authenticates it; unset, the route is a 404", authenticate: (request) => requireCronSecret(request) },
    responses: { 200: { description: "What the prune deleted", schema: PruneReportSchema } },
    problems: ["ERR_UNAUTHENTICATED", "ERR_NOT_FOUND"],
  },
  async ({ db, context }) => json(await runScheduledPrune(db, context, { deadline: Date.now() + BUDGET_MS })),
);
