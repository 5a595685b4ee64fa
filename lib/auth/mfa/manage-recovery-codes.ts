/**
 * A new set of recovery codes for the caller (POST /api/auth/mfa/recovery-codes;
 * docs/decisions/046-second-factors-foundation.md, 047).
 *
 * Threats: the codes are a way past the second factor. A stolen or borrowed session that could
 * mint a fresh set would hold a lasting way in that outlives the session and needs no
 * authenticator; a set shown twice, or cached, is a set someone else may have read.
 * Defences:
 * - a second factor proved in this session within the last 10 minutes (`requireRecentAuthentication`,
 *   the RFC 9470 step-up), checked before anything changes;
 * - only for an account with a second factor: codes stand in for one, and without one they
 *   would open nothing (./second-factor.ts) while looking like protection;
 * - the new set replaces every old code in one transaction (./recovery-codes.ts), so a copy of the
 *   old printout stops working at once; the codes leave the server in this one `no-store` answer
 *   and are stored only as hashes;
 * - audited, and the owner is mailed, so a set made behind their back does not go unnoticed.
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { UserActor } from "../../authz/policy";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { sendSecurityNotice } from "../../users/security-notices";
import { requireRecentAuthentication } from "../step-up";
import { RECOVERY_CODE_COUNT, replaceRecoveryCodes } from "./recovery-codes";
import { hasSecondFactor } from "./second-factor";

/** Five groups of five symbols of Crockford's base32 (no I, L, O or U), as ./recovery-codes.ts spells them. */
const RecoveryCodeSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){4}$/);

/** A fresh set, shown this once: the caller keeps it, the server keeps only hashes. */
export const RecoveryCodesSchema = z.strictObject({ recoveryCodes: z.array(RecoveryCodeSchema).length(RECOVERY_CODE_COUNT) });

export type RecoveryCodes = z.infer<typeof RecoveryCodesSchema>;

/** Replace every recovery code of the caller's account with a new set, and return it. */
export async function regenerateRecoveryCodes(db: Db, caller: UserActor, context: AuditContext): Promise<RecoveryCodes> {
  await requireRecentAuthentication(db, caller);
  if (!(await hasSecondFactor(db, caller.id))) {
    throw new AppError("ERR_CONFLICT", {
      detail: "Recovery codes stand in for a second factor, and this account has none. Set up an authenticator app or a passkey first.",
    });
  }
  const recoveryCodes = await replaceRecoveryCodes(db, caller.id);
  // The guard found the account a moment ago; only a deletion in between leaves no one to issue codes to.
  if (recoveryCodes === null) throw new AppError("ERR_UNAUTHENTICATED", { detail: "Your session has ended. Sign in again." });
  await recordAuditEvent(db, context, {
    type: "mfa.recovery_codes_regenerated",
    actorId: caller.id,
    targetId: caller.id,
    details: { count: recoveryCodes.length },
  });
  await sendSecurityNotice(db, caller.id, { kind: "second-factor", change: { event: "recovery-codes-regenerated" } }, context);
  return { recoveryCodes };
}
