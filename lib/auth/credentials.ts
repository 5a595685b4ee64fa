/**
 * Password rules and change (sign-up is lib/users/registration.ts). Checking a password, for sign-in and everything else, is
 * ./password-attempt.ts: the sign-in limits, one argon2 verification whether or not the account
 * exists (OWASP ASVS 5.0 V6.3.8), and an audit event on failure.
 */
import "server-only";
import { AppError } from "../http/errors";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import { env } from "../env";
import { sendMail } from "../mail/send-mail";
import { revokeEmailTokens } from "../users/email-tokens";
import { isCommonPassword } from "./common-passwords";
import { hashPassword } from "./password-hash";
import { attemptPassword } from "./password-attempt";
import { contextProblem } from "./password-policy";
import { revokeAllSessions } from "./sessions";
import type { ChangePasswordInput } from "./schemas";

function passwordRejected(message: string, field = "password"): AppError {
  return new AppError("ERR_VALIDATION", { detail: "Choose a different password.", errors: { [field]: [message] } });
}

/** Server-side password checks beyond the shared schema: the common list and the user's own words. */
export function assertAcceptablePassword(password: string, context: { email?: string; name?: string }, field = "password"): void {
  if (isCommonPassword(password)) throw passwordRejected("This password is on a list of commonly used passwords.", field);
  const problem = contextProblem(password, context);
  if (problem !== null) throw passwordRejected(problem, field);
}

/** Change a password: needs the current one, and ends every other session of the user. */
export async function changePassword(db: Db, userId: string, currentSessionId: string, input: ChangePasswordInput, context: AuditContext): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, name: true, passwordHash: true } });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  if (user.passwordHash === null) {
    // An account without a password has no current one to prove: setting a first password is a
    // different operation, with its own proof (a recent sign-in; lib/auth/oauth/add-password.ts).
    throw new AppError("ERR_CONFLICT", { detail: "This account has no password yet. Add one from your account page." });
  }
  // Under the sign-in limits, like every password check: a stolen session gets no extra guesses.
  const check = await attemptPassword(db, { account: { userId }, password: input.currentPassword, purpose: "password-change" }, context);
  if (!check.ok) {
    throw new AppError("ERR_VALIDATION", {
      detail: "Your current password is not correct.",
      errors: { currentPassword: ["Not correct."] },
      headers: Object.fromEntries(check.headers),
    });
  }
  assertAcceptablePassword(input.newPassword, user, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  const revoked = await db.$transaction(async (tx) => {
    // updateMany: an account deleted meanwhile is "signed out" (401), not a crash.
    const updated = await tx.user.updateMany({ where: { id: userId }, data: { passwordHash } });
    if (updated.count !== 1) throw new AppError("ERR_UNAUTHENTICATED");
    const ended = await revokeAllSessions(tx, userId, "password_changed", currentSessionId);
    // A sign-in waiting for its second factor was started with the old password.
    await tx.pendingSignIn.deleteMany({ where: { userId } });
    // A reset link mailed before the change must not undo it.
    await revokeEmailTokens(tx, userId, ["RESET_PASSWORD"]);
    await recordAuditEvent(tx, context, { type: "password.changed", actorId: userId, targetId: userId, details: { otherSessionsRevoked: ended } });
    return ended;
  });
  // After the commit: the notice tells the owner of the address, who may not be the one who changed it.
  await sendMail(
    db,
    {
      to: user.email,
      template: "password-changed",
      data: { name: user.name, when: new Date(), otherSessionsEnded: revoked, sessionsUrl: `${env.APP_URL}/sessions` },
    },
    { context },
  );
}
