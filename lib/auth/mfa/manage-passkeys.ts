/**
 * Adding, renaming and removing the caller's passkeys over HTTP:
 * `POST /api/auth/passkeys/registration/options`, `POST /api/auth/passkeys/registration`,
 * `PATCH` and `DELETE /api/auth/passkeys/{id}` (docs/decisions/047-second-factor-sign-in-and-step-up.md).
 * The ceremonies themselves are ./passkeys.ts; the owner-scoped queries are ./passkey-management.ts.
 *
 * Threats and defences (OWASP ASVS 5.0 V6.4.4; Multifactor Authentication Cheat Sheet):
 * - a stolen or borrowed session adding the thief's passkey (a way back in that survives a
 *   password change) or removing the owner's: both ends of a registration need
 *   `requireEnrolmentProof` (a proved address; the password typed again in this session when the
 *   account has no factor yet; a fresh second factor when it has one), and a removal needs
 *   `requireRecentAuthentication` (RFC 9470), checked before anything changes; the
 *   registration's challenge is bound to this session, so a response made for another session's
 *   challenge is refused;
 * - sessions opened before the change, perhaps the thief's: every other session ends when a
 *   passkey is added or removed, and the owner is mailed either way;
 * - registering proves possession of a new authenticator, not of the account's existing factor,
 *   so it does not mark this session as having proved a second factor;
 * - another user's passkey id: the owner is a condition of every query, and someone else's
 *   passkey is the same 404 as one that does not exist;
 * - a passkey-only account with no way back when the device is lost: the registration that gives
 *   an account its first second factor also answers with its recovery codes, once (decision 13).
 */
import "server-only";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import type { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { UserActor } from "../../authz/policy";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { notFound } from "../../http/endpoint";
import { sendSecurityNotice } from "../../users/security-notices";
import { revokeAllSessions } from "../sessions";
import { requireEnrolmentProof, requireRecentAuthentication } from "../step-up";
import { RecoveryCodesSchema } from "./manage-recovery-codes";
import { removePasskey, renamePasskey } from "./passkey-management";
import { PublicPasskeySchema, type PublicPasskey } from "./passkey-public";
import { finishPasskeyRegistration, startPasskeyRegistration } from "./passkeys";
import { replaceRecoveryCodes } from "./recovery-codes";

/** The 201 of a registration: the new passkey and, when it is the account's first second factor, its recovery codes. */
export const PasskeyRegisteredSchema = PublicPasskeySchema.extend({
  recoveryCodes: RecoveryCodesSchema.shape.recoveryCodes
    .optional()
    .describe(
      "Only when this passkey gave the account its first second factor (no authenticator app and no unused recovery code before): 10 single-use codes, shown this once and stored only as hashes. Absent on every later registration.",
    ),
});

export type PasskeyRegistered = z.infer<typeof PasskeyRegisteredSchema>;

export async function passkeyRegistrationOptions(db: Db, caller: UserActor): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await requireEnrolmentProof(db, caller);
  const started = await startPasskeyRegistration(db, { userId: caller.id, sessionId: caller.sessionId });
  if (!started.ok) throw sessionEnded();
  return started.options;
}

/**
 * Store the passkey the browser made; every other session ends and the owner is mailed. When it
 * is the account's first second factor, the answer carries its recovery codes.
 */
export async function registerPasskey(
  db: Db,
  caller: UserActor,
  input: { response: unknown; name: string },
  context: AuditContext,
): Promise<PasskeyRegistered> {
  // Checked again at the finish: the options may have been fetched just before the proof went stale.
  await requireEnrolmentProof(db, caller);
  const finished = await finishPasskeyRegistration(db, { userId: caller.id, sessionId: caller.sessionId, response: input.response, name: input.name });
  if (!finished.ok) throw registrationRefused(finished.reason);
  // As an authenticator app's confirmation does: a passkey-only account must have a way in when
  // its devices are gone, and only unused codes or an app count as one. Null: it already has one.
  const recoveryCodes = await replaceRecoveryCodes(db, caller.id, { onlyWhenUncovered: true });
  const otherSessionsEnded = await revokeAllSessions(db, caller.id, "second_factor_changed", caller.sessionId);
  await recordAuditEvent(db, context, {
    type: "mfa.passkey_added",
    actorId: caller.id,
    targetId: finished.passkey.id,
    details: { deviceType: finished.passkey.deviceType, otherSessionsEnded, recoveryCodesIssued: recoveryCodes?.length ?? 0 },
  });
  await sendSecurityNotice(db, caller.id, { kind: "second-factor", change: { event: "passkey-added", passkeyName: finished.passkey.name } }, context);
  return recoveryCodes === null ? finished.passkey : { ...finished.passkey, recoveryCodes };
}

/** Rename one of the caller's passkeys; a name is no way in, so no recent authentication is asked. */
export async function renameOwnPasskey(db: Db, caller: UserActor, passkeyId: string, name: string, context: AuditContext): Promise<PublicPasskey> {
  const renamed = await renamePasskey(db, { userId: caller.id, passkeyId, name });
  if (!renamed.ok) throw renamed.reason === "not-found" ? notFound() : new AppError("ERR_VALIDATION", { errors: { name: ["Give the passkey a valid name."] } });
  await recordAuditEvent(db, context, { type: "mfa.passkey_renamed", actorId: caller.id, targetId: passkeyId });
  return renamed.passkey;
}

/** Remove one of the caller's passkeys; every other session ends and the owner is mailed. */
export async function removeOwnPasskey(db: Db, caller: UserActor, passkeyId: string, context: AuditContext): Promise<void> {
  await requireRecentAuthentication(db, caller);
  // Read for the notice only; the removal below is what checks the owner, in its own statement.
  const named = await db.passkey.findFirst({ where: { id: passkeyId, userId: caller.id }, select: { name: true } });
  const removed = await removePasskey(db, { userId: caller.id, passkeyId });
  if (named === null || !removed.removed) throw notFound();
  const otherSessionsEnded = await revokeAllSessions(db, caller.id, "second_factor_changed", caller.sessionId);
  await recordAuditEvent(db, context, {
    type: "mfa.passkey_removed",
    actorId: caller.id,
    targetId: passkeyId,
    details: { recoveryCodesDeleted: removed.recoveryCodesDeleted, otherSessionsEnded },
  });
  await sendSecurityNotice(db, caller.id, { kind: "second-factor", change: { event: "passkey-removed", passkeyName: named.name } }, context);
}

function registrationRefused(reason: "invalid-name" | "challenge-expired" | "invalid" | "duplicate"): AppError {
  switch (reason) {
    case "invalid-name":
      return new AppError("ERR_VALIDATION", { errors: { name: ["Give the passkey a valid name."] } });
    case "challenge-expired":
      return new AppError("ERR_VALIDATION", {
        detail: "This passkey setup timed out or was already used. Start again.",
        errors: { response: ["Start the passkey setup again."] },
      });
    case "invalid":
      return new AppError("ERR_VALIDATION", { detail: "The passkey could not be verified.", errors: { response: ["The passkey could not be verified."] } });
    case "duplicate":
      return new AppError("ERR_CONFLICT", { detail: "This passkey is already registered." });
  }
}

function sessionEnded(): AppError {
  return new AppError("ERR_UNAUTHENTICATED", { detail: "Your session has ended. Sign in again." });
}
