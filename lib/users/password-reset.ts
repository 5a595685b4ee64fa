/**
 * Forgot password (OWASP Forgot Password Cheat Sheet; ASVS 5.0 V6.4.1–V6.4.3;
 * docs/decisions/045-verified-addresses-and-recovery.md).
 *
 * Threats and defences:
 * - Account enumeration: the request answers 202 and the same words for every address, after
 *   the same work (the mail limits, counted for known and unknown addresses alike); the lookup,
 *   the token and the message run after the answer has gone, and each case sends one message (a
 *   link, or "no account uses this address").
 * - Mail flooding: the mail limits, per client IP and per recipient (lib/edge/rate-limit/mail-sends.ts).
 * - A guessed, stolen or stale link: ./email-tokens.ts (256 bits, stored hashed, single use,
 *   30 minutes, one live per account, cancelled by a newer request, a sign-in or a password change).
 * - Host-header poisoning: every link is built from APP_URL, never from the request.
 * - A mail scanner that follows links: the link opens a page that sends the token only when the
 *   person submits a new password (POST), and the token rides in the fragment, which never leaves
 *   the browser in a request line or a Referer.
 * - An attacker signed in elsewhere: a reset ends every session and refresh family of the
 *   account, signs no one in (not even this browser: a second factor, once there is one, must not
 *   be skipped by a reset), cancels any address change still waiting for its confirmation link
 *   (one such session may have asked to move the account to its own address), and mails a notice.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../audit";
import { assertAcceptablePassword } from "../auth/credentials";
import { removeSecondFactors } from "../auth/mfa/remove-second-factors";
import { hashPassword } from "../auth/password-hash";
import { revokeAllSessions } from "../auth/sessions";
import type { Db } from "../db/client";
import { assertMailSendAllowed } from "../edge/rate-limit/mail-sends";
import { env } from "../env";
import { afterResponse } from "../http/after-response";
import { sendMail } from "../mail/send-mail";
import { EMAIL_TOKEN_LIFETIME, emailTokenUrl, hashEmailToken, issueEmailToken, revokeEmailTokens, spendEmailToken } from "./email-tokens";
import { invalidLink } from "./email-verification";

/** Accept a reset request: the same answer and the same work in the request for every address. */
export async function requestPasswordReset(db: Db, email: string, context: AuditContext): Promise<void> {
  await assertMailSendAllowed({ ip: context.ip, to: email, requestId: context.requestId });
  afterResponse("password-reset-request", () => mailResetLink(db, email, context));
}

/** Exported for the tests that prove the two paths apart from the response. */
export async function mailResetLink(db: Db, email: string, context: AuditContext): Promise<void> {
  const user = await db.user.findUnique({ where: { email }, select: { id: true, name: true } });
  if (user === null) {
    await recordAuditEvent(db, context, { type: "password.reset_requested", details: { account: false } });
    await sendMail(db, { to: email, template: "no-account", data: { registerUrl: `${env.APP_URL}/register` } }, { context });
    return;
  }
  const token = await issueEmailToken(db, { userId: user.id, purpose: "RESET_PASSWORD", email });
  await recordAuditEvent(db, context, { type: "password.reset_requested", targetId: user.id, details: { account: true } });
  const data = { name: user.name, url: emailTokenUrl(env.APP_URL, "/reset-password", token), validForSeconds: EMAIL_TOKEN_LIFETIME.RESET_PASSWORD };
  await sendMail(db, { to: email, template: "reset-password", data }, { context });
}

export interface ResetInput {
  token: string;
  newPassword: string;
}

/**
 * Set a new password with a reset link. The token is checked before the password rules and
 * spent only with the change, so a password the rules refuse does not cost the person their link.
 */
export async function resetPassword(db: Db, input: ResetInput, context: AuditContext): Promise<{ email: string }> {
  const pending = await db.emailToken.findUnique({
    where: { tokenHash: hashEmailToken(input.token) },
    select: { purpose: true, expiresAt: true, user: { select: { email: true, name: true } } },
  });
  if (pending === null || pending.purpose !== "RESET_PASSWORD" || pending.expiresAt.getTime() <= Date.now()) throw invalidLink();
  assertAcceptablePassword(input.newPassword, pending.user, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  const outcome = await db.$transaction(async (tx) => {
    const spent = await spendEmailToken(tx, input.token, "RESET_PASSWORD");
    if (spent === null) throw invalidLink();
    const now = new Date();
    // Bound to the address it was mailed to: after an address change, an old link resets nothing.
    const updated = await tx.user.updateMany({ where: { id: spent.userId, email: spent.email }, data: { passwordHash } });
    if (updated.count !== 1) throw invalidLink();
    // Receiving the link proved the address, as a confirmation link would have. An address never
    // proved before means whoever set up a second factor on it may not be its owner: those factors
    // go, as when a provider claims the account (ADR 045, ADR 047), or they would lock the owner
    // out, or let the squatter back in, after this very reset.
    const claimed = await tx.user.updateMany({ where: { id: spent.userId, emailVerifiedAt: null }, data: { emailVerifiedAt: now } });
    if (claimed.count === 1) await removeSecondFactors(tx, spent.userId);
    // A sign-in waiting for its second factor was started with the old password.
    await tx.pendingSignIn.deleteMany({ where: { userId: spent.userId } });
    // A pending address change dies too: it may be the move of a session this reset is ending.
    await revokeEmailTokens(tx, spent.userId, ["RESET_PASSWORD", "VERIFY_EMAIL", "CHANGE_EMAIL"]);
    const ended = await revokeAllSessions(tx, spent.userId, "password_reset");
    await recordAuditEvent(tx, context, { type: "password.reset", actorId: spent.userId, targetId: spent.userId, details: { sessionsRevoked: ended } });
    return { userId: spent.userId, email: spent.email, ended };
  });
  const data = { name: pending.user.name, when: new Date(), sessionsEnded: outcome.ended, forgotUrl: `${env.APP_URL}/forgot-password` };
  await sendMail(db, { to: outcome.email, template: "password-reset", data }, { context });
  return { email: outcome.email };
}
