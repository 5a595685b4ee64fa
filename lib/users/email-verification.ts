/**
 * Proving an address: a link mailed to it, spent once (./email-tokens.ts).
 *
 * What proof buys (docs/decisions/045-verified-addresses-and-recovery.md): an unverified account
 * may sign in and use its own data, but its address is only a claim. A provider sign-in that
 * vouches for the same address takes such an account over (lib/auth/oauth/linking.ts), an
 * unverified account cannot add a provider or be made an admin, and a reset or an address change
 * proves the address as a side effect. The token is bound to the address it was sent to: after
 * the account's address changes, a link sent to the old one confirms nothing.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import { assertMailSendAllowed } from "../edge/rate-limit/mail-sends";
import { env } from "../env";
import { AppError } from "../http/errors";
import { sendMail } from "../mail/send-mail";
import { EMAIL_TOKEN_LIFETIME, emailTokenUrl, issueEmailToken, spendEmailToken } from "./email-tokens";

export function invalidLink(): AppError {
  return new AppError("ERR_EMAIL_LINK_INVALID", { detail: "This link has expired or was already used. Ask for a new one." });
}

/** Mint a confirmation link for the account's current address and mail it there. */
export async function sendVerificationLink(db: Db, user: { id: string; email: string; name: string }, context: AuditContext): Promise<void> {
  const token = await issueEmailToken(db, { userId: user.id, purpose: "VERIFY_EMAIL", email: user.email });
  await recordAuditEvent(db, context, { type: "email.verification_sent", actorId: user.id, targetId: user.id });
  const data = {
    name: user.name,
    url: emailTokenUrl(env.APP_URL, "/verify-email", token),
    validForSeconds: EMAIL_TOKEN_LIFETIME.VERIFY_EMAIL,
    forgotUrl: `${env.APP_URL}/forgot-password`,
  };
  await sendMail(db, { to: user.email, template: "verify-email", data }, { context });
}

/** A signed-in person asks for a new link: counted by the mail limits like any other. */
export async function resendVerificationLink(db: Db, userId: string, context: AuditContext): Promise<{ email: string }> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, emailVerifiedAt: true } });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  if (user.emailVerifiedAt !== null) throw new AppError("ERR_CONFLICT", { detail: "Your email address is already confirmed." });
  await assertMailSendAllowed({ ip: context.ip, to: user.email, requestId: context.requestId });
  await sendVerificationLink(db, user, context);
  return { email: user.email };
}

/** Spend a confirmation link. Answers the address it confirmed. */
export async function verifyEmail(db: Db, token: string, context: AuditContext): Promise<{ email: string }> {
  return db.$transaction(async (tx) => {
    const spent = await spendEmailToken(tx, token, "VERIFY_EMAIL");
    if (spent === null) throw invalidLink();
    // Only while the account still has the address the link was sent to.
    const updated = await tx.user.updateMany({ where: { id: spent.userId, email: spent.email }, data: { emailVerifiedAt: new Date() } });
    if (updated.count !== 1) throw invalidLink();
    await recordAuditEvent(tx, context, { type: "email.verified", targetId: spent.userId, details: { via: "link" } });
    return { email: spent.email };
  });
}
