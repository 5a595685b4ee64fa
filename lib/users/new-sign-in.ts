/**
 * "A new sign-in to your account": the notice for a sign-in from a device (user agent) or an
 * address the account has no session from, ended ones included while retention keeps them
 * (30 days). It is how the owner of a stolen password hears that someone used it. The very first
 * session of an account (its registration) is new by definition and tells no one anything.
 *
 * Call it before the new session is created, so the sessions it compares with are the earlier ones.
 */
import "server-only";
import type { AuditContext } from "../audit";
import type { Db } from "../db/client";
import { sqlFor } from "../db/sql";
import { log } from "../log";
import { describeUserAgent } from "../shared/user-agent";
import { sendSecurityNotice } from "./security-notices";

export interface SignInOrigin {
  ip: string | null;
  userAgent: string | null;
}

export interface Novelty {
  device: boolean;
  address: boolean;
}

/** What is new about this sign-in; null for an account that has never had a session. */
const NOVELTY = `
SELECT count(*)::int AS total,
       (count(*) FILTER (WHERE "userAgent" IS NOT DISTINCT FROM $2))::int AS "sameDevice",
       (count(*) FILTER (WHERE ip IS NOT DISTINCT FROM $3))::int AS "sameAddress"
FROM "Session" WHERE "userId" = $1`;

export async function signInNovelty(db: Db, userId: string, origin: SignInOrigin): Promise<Novelty | null> {
  // One statement on every sign-in's path (../db/sql.ts, ADR 048). An unknown address counts as known.
  const [row] = await sqlFor(db).query<{ total: number; sameDevice: number; sameAddress: number }>(NOVELTY, [userId, origin.userAgent, origin.ip]);
  if (row === undefined || row.total === 0) return null;
  return { device: row.sameDevice === 0, address: origin.ip !== null && row.sameAddress === 0 };
}

/** Send the notice when the sign-in comes from somewhere new. `method`: "your password" or a provider's name. */
export async function noticeNewSignIn(db: Db, userId: string, method: string, context: AuditContext): Promise<void> {
  let novelty: Novelty | null;
  try {
    novelty = await signInNovelty(db, userId, context);
  } catch (error) {
    // The sign-in itself is sound: a failed comparison costs the notice, never the sign-in.
    log.error({ err: error, userId }, "new-sign-in check failed");
    return;
  }
  if (novelty === null || (!novelty.device && !novelty.address)) return;
  await sendSecurityNotice(
    db,
    userId,
    { kind: "new-sign-in", method, device: describeUserAgent(context.userAgent), ip: context.ip, newDevice: novelty.device },
    context,
  );
}
