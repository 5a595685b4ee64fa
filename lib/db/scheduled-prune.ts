/**
 * The prune as a scheduled job runs it: `npm run db:prune` and `GET /api/cron/prune` (vercel.json)
 * both come here, so both apply the same retention and leave the same audit trail.
 *
 * Threat: the cron route is reachable from the internet. A caller who could run it at will could
 * make the database do deletion work on demand. It runs only for a caller presenting CRON_SECRET
 * (`Authorization: Bearer …`, compared in constant time); with no secret configured the route does
 * not exist (404).
 */
import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { recordAuditEvent, type AuditContext } from "../audit";
import { env } from "../env";
import { AppError } from "../http/errors";
import { log } from "../log";
import { deliverDueMail } from "../mail/send-mail";
import type { Db } from "./client";
import { prune, retentionPolicyFrom, type PruneOptions, type PruneReport } from "./prune";

/** Prune with the configured retention, and record what was deleted. */
export async function runScheduledPrune(db: Db, context: AuditContext, options: PruneOptions = {}): Promise<PruneReport> {
  const report = await prune(db, retentionPolicyFrom(env), options);
  await recordAuditEvent(db, context, {
    type: "retention.pruned",
    details: { ...report.deleted, batches: report.batches, complete: report.complete, milliseconds: report.milliseconds },
  });
  // The one job that runs on a schedule also retries mail a relay refused (lib/mail/send-mail.ts),
  // so a message is never left waiting for the next one to be sent.
  const mail = await deliverDueMail(db, { context });
  if (mail.sent + mail.queued > 0) log.info({ ...mail }, "scheduled mail delivery");
  return report;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Throws 404 when no secret is configured, 401 unless the request presents it. */
export function requireCronSecret(request: Request, secret: string | undefined = env.CRON_SECRET): void {
  if (secret === undefined) throw new AppError("ERR_NOT_FOUND");
  const presented = request.headers.get("authorization") ?? "";
  // Digests of equal length, so the comparison's time says nothing about the secret or its length.
  if (!timingSafeEqual(digest(presented), digest(`Bearer ${secret}`))) {
    throw new AppError("ERR_UNAUTHENTICATED", { headers: { "www-authenticate": 'Bearer realm="palisade-cron"' } });
  }
}
