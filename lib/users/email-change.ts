/**
 * Changing an account's address (docs/decisions/045-verified-addresses-and-recovery.md).
 *
 * Threat: the address is where every reset link goes, so whoever changes it owns the account for
 * good. A stolen session (or a borrowed laptop) that could change it silently would turn minutes of
 * access into a takeover, and the real owner would not even be told.
 * Defence:
 * - asking needs a recent sign-in (the person, not only a token, is present: the same 10 minutes
 *   as adding a sign-in method) and is counted by the mail limits;
 * - nothing changes until the new address proves itself with a link mailed to it; if another
 *   account has that address, its owner is told instead and nothing changes, and the asker sees the
 *   same answer either way (no oracle for which addresses have accounts);
 * - once changed, the old address is told, with a link that puts it back and signs every device
 *   out (72 hours): the real owner can undo a takeover from the mailbox they still control. A
 *   second change cannot take that away: it cancels no earlier undo link, and while an earlier one
 *   is live a later one (mailed to an address the first change brought in, perhaps the attacker's)
 *   is refused, so the first address's owner is the one who decides.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../audit";
import { isRecentSignIn } from "../auth/oauth/linking";
import { revokeAllSessions } from "../auth/sessions";
import type { UserActor } from "../authz/policy";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { assertMailSendAllowed } from "../edge/rate-limit/mail-sends";
import { env } from "../env";
import { afterResponse } from "../http/after-response";
import { AppError } from "../http/errors";
import { sendMail } from "../mail/send-mail";
import { EMAIL_TOKEN_LIFETIME, emailTokenUrl, issueEmailToken, revokeEmailTokens, spendEmailToken } from "./email-tokens";
import { invalidLink } from "./email-verification";

export async function requestEmailChange(db: Db, actor: UserActor, newEmail: string, context: AuditContext): Promise<void> {
  const user = await db.user.findUnique({ where: { id: actor.id }, select: { email: true, name: true } });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  if (user.email === newEmail)
    throw new AppError("ERR_VALIDATION", { detail: "That is already your address.", errors: { email: ["This is your current address."] } });
  if (!(await isRecentSignIn(db, actor))) {
    throw new AppError("ERR_REAUTH_REQUIRED", { detail: "Sign in again to change your email address: it has to be you, not only your session." });
  }
  await assertMailSendAllowed({ ip: context.ip, to: newEmail, requestId: context.requestId });
  await recordAuditEvent(db, context, { type: "email.change_requested", actorId: actor.id, targetId: actor.id });
  afterResponse("email-change-request", () => mailChangeLink(db, actor.id, user.name, newEmail, context));
}

/** Exported for the tests that prove the two paths apart from the response. */
export async function mailChangeLink(db: Db, userId: string, name: string, newEmail: string, context: AuditContext): Promise<void> {
  const taken = await db.user.findUnique({ where: { email: newEmail }, select: { id: true } });
  if (taken !== null) {
    await sendMail(db, { to: newEmail, template: "address-in-use", data: { signInUrl: `${env.APP_URL}/signin` } }, { context });
    return;
  }
  const token = await issueEmailToken(db, { userId, purpose: "CHANGE_EMAIL", email: newEmail });
  const data = { name, newEmail, url: emailTokenUrl(env.APP_URL, "/email/confirm", token), validForSeconds: EMAIL_TOKEN_LIFETIME.CHANGE_EMAIL };
  await sendMail(db, { to: newEmail, template: "confirm-new-email", data }, { context });
}

/** Spend a link mailed to the new address: the address changes, and the old one gets an undo link. */
export async function confirmEmailChange(db: Db, token: string, context: AuditContext): Promise<{ email: string }> {
  let change: { userId: string; name: string; oldEmail: string; newEmail: string };
  try {
    change = await db.$transaction(async (tx) => {
      const spent = await spendEmailToken(tx, token, "CHANGE_EMAIL");
      if (spent === null) throw invalidLink();
      const user = await tx.user.findUnique({ where: { id: spent.userId }, select: { email: true, name: true } });
      if (user === null) throw invalidLink();
      await tx.user.update({ where: { id: spent.userId }, data: { email: spent.email, emailVerifiedAt: new Date() }, select: { id: true } });
      // Links mailed to the old address must not act on the account any more; an earlier change's
      // undo link stays, since it is the way back for the address that change took away.
      await revokeEmailTokens(tx, spent.userId, ["VERIFY_EMAIL", "RESET_PASSWORD", "CHANGE_EMAIL"]);
      await recordAuditEvent(tx, context, { type: "email.changed", actorId: spent.userId, targetId: spent.userId });
      return { userId: spent.userId, name: user.name, oldEmail: user.email, newEmail: spent.email };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("ERR_EMAIL_TAKEN", { detail: "Another account took this address after you asked. Nothing was changed." });
    }
    throw error;
  }
  // `email` is the address the undo link is mailed to and puts back; `previousEmail` the one it replaces.
  const undo = await issueEmailToken(db, { userId: change.userId, purpose: "UNDO_EMAIL_CHANGE", email: change.oldEmail, previousEmail: change.newEmail });
  const data = {
    name: change.name,
    newEmail: change.newEmail,
    when: new Date(),
    undoUrl: emailTokenUrl(env.APP_URL, "/email/undo", undo),
    validForSeconds: EMAIL_TOKEN_LIFETIME.UNDO_EMAIL_CHANGE,
  };
  await sendMail(db, { to: change.oldEmail, template: "email-changed", data }, { context });
  return { email: change.newEmail };
}

/**
 * Spend an undo link: the old address comes back (proved, since its mailbox holds the link),
 * every session ends, and every other mailed link dies. The person then resets the password, which
 * whoever made the change may know.
 */
export async function undoEmailChange(db: Db, token: string, context: AuditContext): Promise<{ email: string }> {
  try {
    return await db.$transaction(async (tx) => {
      const spent = await spendEmailToken(tx, token, "UNDO_EMAIL_CHANGE");
      if (spent === null || spent.previousEmail === null) throw invalidLink();
      // An older live undo link is the earliest address's: it wins, and this one stays unspent (the rollback).
      const older = await tx.emailToken.count({
        where: { userId: spent.userId, purpose: "UNDO_EMAIL_CHANGE", createdAt: { lt: spent.issuedAt }, expiresAt: { gt: new Date() } },
      });
      if (older > 0) throw invalidLink();
      await tx.user.update({ where: { id: spent.userId }, data: { email: spent.email, emailVerifiedAt: new Date() }, select: { id: true } });
      await revokeEmailTokens(tx, spent.userId, ["VERIFY_EMAIL", "RESET_PASSWORD", "CHANGE_EMAIL", "UNDO_EMAIL_CHANGE"]);
      const ended = await revokeAllSessions(tx, spent.userId, "email_change_undone");
      await recordAuditEvent(tx, context, { type: "email.change_undone", targetId: spent.userId, details: { sessionsRevoked: ended } });
      return { email: spent.email };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("ERR_EMAIL_TAKEN", { detail: "Another account has taken your old address since. Contact support." });
    }
    throw error;
  }
}
