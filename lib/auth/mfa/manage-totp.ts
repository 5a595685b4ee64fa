/**
 * Setting up and removing the caller's authenticator app: POST /api/auth/mfa/totp (start),
 * POST /api/auth/mfa/totp/confirm (the first code) and DELETE /api/auth/mfa/totp
 * (docs/decisions/046-second-factors-foundation.md, 047-second-factor-sign-in-and-step-up.md).
 *
 * Threats and defences (OWASP ASVS 5.0 V6.4.4, V6.5; Multifactor Authentication Cheat Sheet):
 * - a stolen or borrowed session enrolling the thief's authenticator (the owner is then asked for
 *   a code only the thief has) or removing the owner's: every step needs a recent authentication,
 *   before anything changes. Removing needs `requireRecentAuthentication` (the RFC 9470 step-up);
 *   enrolling needs `requireEnrolmentProof`: a proved address, and for an account with a password
 *   and no factor yet, the password typed again in this session, not merely a recent sign-in.
 *   The routes are also `sensitive` (lib/http/contract.ts), which asks the same of an account
 *   with a factor before the body is read; the call here adds the rule for one without;
 * - the secret seen twice: it leaves the server once, in the start's `no-store` answer, and is
 *   stored sealed (./secret-box.ts); nothing reads it back out (./manage-overview.ts);
 * - guessing the first code: the check draws on the account's one wrong-code budget
 *   (./second-factor-attempts.ts), counted before the code is looked at and shared with sign-in
 *   and step-up, so this is no cheaper oracle; every wrong code is audited, and the last one the
 *   budget allows mails the owner;
 * - the confirming code replayed: its step is recorded (./totp-factor.ts), so it cannot pass a
 *   sign-in or a step-up afterwards;
 * - sessions opened before the change, perhaps the thief's: every other session ends when the
 *   factor is added or removed, and the owner is mailed either way;
 * - another user's factor: each function takes the caller's id from the verified session, never
 *   from the request, and every query below names it.
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { UserActor } from "../../authz/policy";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { AppError, isAppError } from "../../http/errors";
import { sendSecurityNotice } from "../../users/security-notices";
import { revokeAllSessions } from "../sessions";
import { requireEnrolmentProof, requireRecentAuthentication } from "../step-up";
import type { RecoveryCodes } from "./manage-recovery-codes";
import { replaceRecoveryCodes } from "./recovery-codes";
import { TotpCodeSchema } from "./second-factor";
import { beginSecondFactorAttempt, secondFactorFailed, secondFactorSucceeded, type SecondFactorAttempt } from "./second-factor-attempts";
import { confirmTotpEnrolment, removeTotpFactor, startTotpEnrolment, totpFactorState } from "./totp-factor";

/** The enrolment screen's material, shown once: the QR code's URI and the same secret to type. */
export const TotpEnrolmentSchema = z.strictObject({
  keyUri: z
    .string()
    .regex(/^otpauth:\/\/totp\//)
    .describe("For the QR code: issuer Palisade, the account's address, SHA-1, 6 digits, 30 s."),
  manualKey: z
    .string()
    .regex(/^[A-Z2-7]{4}(?: [A-Z2-7]{1,4})*$/)
    .describe("The same secret in base32, in groups of four, for an app that cannot scan."),
});

export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

export const ConfirmTotpSchema = z.strictObject({ code: TotpCodeSchema });

/** Start setting up an authenticator app: a new secret, pending until a first code confirms it. */
export async function startTotp(db: Db, caller: UserActor, context: AuditContext): Promise<TotpEnrolment> {
  await requireEnrolmentProof(db, caller);
  const started = await startTotpEnrolment(db, caller.id);
  if (!started.ok) throw started.reason === "already-enrolled" ? alreadyEnrolled() : sessionEnded();
  await recordAuditEvent(db, context, { type: "mfa.totp_enrolment_started", actorId: caller.id, targetId: caller.id });
  return { keyUri: started.keyUri, manualKey: started.manualKey };
}

export interface TotpConfirmed extends RecoveryCodes {
  /** The code limit's RateLimit fields, for the response. */
  headers: Headers;
}

/**
 * Confirm the pending authenticator with its first code. The factor is then on: the account gets
 * its recovery codes, this session counts as having proved a second factor now, and every other
 * session ends.
 */
export async function confirmTotp(db: Db, caller: UserActor, code: string, context: AuditContext): Promise<TotpConfirmed> {
  await requireEnrolmentProof(db, caller);
  const state = await totpFactorState(db, caller.id);
  // Refused before the budget is touched: there is no code to judge.
  if (state.state === "confirmed") throw alreadyEnrolled();
  if (state.state === "none") throw noPendingEnrolment();
  const headers = await checkFirstCode(db, caller, code, context);

  // The factor is on: what follows must happen even if this session has meanwhile ended, so the
  // owner is told and the other sessions go.
  const recoveryCodes = await replaceRecoveryCodes(db, caller.id);
  if (recoveryCodes === null) throw sessionEnded();
  const otherSessionsEnded = await revokeAllSessions(db, caller.id, "second_factor_changed", caller.sessionId);
  await recordAuditEvent(db, context, { type: "mfa.totp_enabled", actorId: caller.id, targetId: caller.id, details: { otherSessionsEnded } });
  await sendSecurityNotice(db, caller.id, { kind: "second-factor", change: { event: "totp-enabled" } }, context);
  return { recoveryCodes, headers };
}

/**
 * Remove the caller's authenticator app. The recovery codes go with it unless a passkey remains,
 * which they then stand in for; every other session ends.
 */
export async function removeTotp(db: Db, caller: UserActor, context: AuditContext): Promise<void> {
  await requireRecentAuthentication(db, caller);
  // A pending enrolment is no factor: there is nothing to turn off, and the next start replaces it.
  if ((await totpFactorState(db, caller.id)).state !== "confirmed") throw noFactor();
  const removed = await removeTotpFactor(db, caller.id, { keepRecoveryCodesForPasskeys: true });
  // Another request removed it first, and told the owner.
  if (!removed.removed) throw noFactor();
  const otherSessionsEnded = await revokeAllSessions(db, caller.id, "second_factor_changed", caller.sessionId);
  await recordAuditEvent(db, context, {
    type: "mfa.totp_removed",
    actorId: caller.id,
    targetId: caller.id,
    details: { recoveryCodesDeleted: removed.recoveryCodesDeleted, otherSessionsEnded },
  });
  await sendSecurityNotice(db, caller.id, { kind: "second-factor", change: { event: "totp-removed" } }, context);
}

/**
 * The first code, under the account's wrong-code budget: counted before it is checked, refunded
 * when it passes, and kept when it is wrong. A right code confirms the factor and marks this
 * session as having proved it, in one commit: there is no moment at which the account has a
 * factor that the session which set it up has not proved (a second request from it would meet a
 * step-up). Returns the limit's headers, or throws the 401 (or the budget's 429, with
 * Retry-After, before any check).
 */
async function checkFirstCode(db: Db, caller: UserActor, code: string, context: AuditContext): Promise<Headers> {
  const userId = caller.id;
  const attempt = await beginAttempt(db, userId, context);
  // A secret that does not decrypt throws from here and stays counted: an integrity failure, logged as such.
  const result = await db.$transaction(async (tx) => {
    const confirmed = await confirmTotpEnrolment(tx, userId, code);
    if (confirmed.ok) await markSecondFactorProved(tx, caller, confirmed.confirmedAt);
    return confirmed;
  });
  if (result.ok) {
    await secondFactorSucceeded(attempt);
    return attempt.headers;
  }
  if (result.reason === "no-pending-enrolment") {
    // Another request confirmed or replaced the enrolment between the look and the check: this
    // code was not judged wrong, so it costs nothing.
    await secondFactorSucceeded(attempt);
    throw noPendingEnrolment();
  }
  secondFactorFailed(attempt);
  await recordAuditEvent(db, context, { type: "mfa.failed", actorId: userId, targetId: userId, details: { purpose: "management", method: "totp" } });
  // The last failure the budget allows: someone may be guessing with a stolen session, so tell the owner now.
  if (remainingFailures(attempt) === 0) await sendSecurityNotice(db, userId, { kind: "second-factor", change: { event: "codes-refused" } }, context);
  throw new AppError("ERR_SECOND_FACTOR_INVALID", {
    detail: "That code is not correct. Check that your phone's clock is right and enter the newest code.",
    headers: Object.fromEntries(attempt.headers),
  });
}

async function beginAttempt(db: Db, userId: string, context: AuditContext): Promise<SecondFactorAttempt> {
  try {
    return await beginSecondFactorAttempt(userId, context.requestId);
  } catch (error) {
    if (isAppError(error) && error.code === "ERR_RATE_LIMITED") {
      await recordAuditEvent(db, context, { type: "mfa.rate_limited", actorId: userId, targetId: userId, details: { purpose: "management" } });
    }
    throw error;
  }
}

function remainingFailures(attempt: SecondFactorAttempt): number | null {
  const [outcome] = attempt.decision.outcomes;
  return outcome?.status === "counted" ? outcome.result.remaining : null;
}

/**
 * This session has just proved a second factor: a step-up is not asked of it for the next 10
 * minutes, and its tokens say so from the next refresh (`amr`, RFC 8176). The update names the
 * caller's own live session; one that ended meanwhile is left ended.
 */
async function markSecondFactorProved(db: Prisma.TransactionClient, caller: UserActor, now: Date): Promise<void> {
  const own = { id: caller.sessionId, userId: caller.id, revokedAt: null };
  const session = await db.session.findFirst({ where: own, select: { amr: true } });
  if (session === null) return;
  const amr = [...session.amr.filter((method) => method !== "otp" && method !== "mfa"), "otp", "mfa"];
  await db.session.updateMany({ where: own, data: { secondFactorAt: now, amr } });
}

function alreadyEnrolled(): AppError {
  return new AppError("ERR_ALREADY_ENROLLED", { detail: "An authenticator app is already set up. Remove it first to set up another." });
}

function noPendingEnrolment(): AppError {
  return new AppError("ERR_CONFLICT", { detail: "No authenticator app is being set up. Start again to get a new QR code." });
}

function noFactor(): AppError {
  return new AppError("ERR_CONFLICT", { detail: "No authenticator app is set up on this account." });
}

function sessionEnded(): AppError {
  return new AppError("ERR_UNAUTHENTICATED", { detail: "Your session has ended. Sign in again." });
}
