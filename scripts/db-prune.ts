/**
 * `npm run db:prune`: delete ended sessions, superseded refresh tokens, old audit rows and
 * expired spent proofs, under the retention the environment sets (lib/db/prune.ts). Runs until
 * nothing is left to delete; run it from any scheduler (Vercel runs GET /api/cron/prune instead).
 */
import { randomUUID } from "node:crypto";
import { disconnectDb, getDb } from "../lib/db/client";
import { runScheduledPrune } from "../lib/db/scheduled-prune";

/* eslint-disable no-console -- a command-line script reports to its terminal */

async function main(): Promise<void> {
  const report = await runScheduledPrune(await getDb(), { ip: null, userAgent: "npm run db:prune", requestId: randomUUID() });
  const rows = Object.entries(report.deleted).map(([step, count]) => `  ${step.padEnd(20)} ${count.toLocaleString("en")}`);
  console.log(`db:prune: ${report.batches} batches in ${(report.milliseconds / 1000).toFixed(1)} s\n${rows.join("\n")}`);
}

main()
  .catch((error: unknown) => {
    console.error(`db:prune failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
