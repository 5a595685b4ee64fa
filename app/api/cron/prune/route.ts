import { getDb } from "@/lib/db/client";
import { requireCronSecret, runScheduledPrune } from "@/lib/db/scheduled-prune";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery } from "@/lib/http/query";
import { requestContext } from "@/lib/http/request-context";

export const access = "public";

/** Seconds the platform lets this run; the prune stops starting batches well before. */
export const maxDuration = 60;
const BUDGET_MS = 45_000;

/**
 * Public at the edge; CRON_SECRET authenticates it (vercel.json schedules it daily). Deletes what
 * retention no longer needs, in bounded batches, and answers what it deleted; `complete: false`
 * means the time ran out and the next run carries on. See lib/db/prune.ts.
 */
export const GET = route(async ({ request, requestId }) => {
  requireCronSecret(request);
  assertNoQuery(request.url);
  const report = await runScheduledPrune(await getDb(), requestContext(request, requestId), { deadline: Date.now() + BUDGET_MS });
  return json(report);
});
