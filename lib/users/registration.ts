/**
 * Sign-up without an account oracle (docs/decisions/045-verified-addresses-and-recovery.md).
 *
 * Threat: a sign-up that answers "email already registered" tells anyone which addresses have
 * accounts here, one request at a time (OWASP ASVS 5.0 V6.3.8). So does one that answers the same
 * words but takes longer, hashes once more or sends one mail more in one case.
 * Defence: both cases do the same work in the request (the password rules, the mail limits, one
 * argon2 hash) and give the same answer, 202 "check your inbox", with no cookie. What differs
 * runs after the answer has gone (lib/http/after-response.ts), and even there each case sends
 * exactly one message: a new address gets a link to confirm it, an address that has an account
 * is told so, with a way to sign in or reset the password. The real owner of an address someone
 * else signed up with learns of it from that first message, and can take the account over.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../audit";
import { assertAcceptablePassword } from "../auth/credentials";
import { hashPassword } from "../auth/password-hash";
import type { RegisterInput } from "../auth/schemas";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { assertMailSendAllowed } from "../edge/rate-limit/mail-sends";
import { env } from "../env";
import { afterResponse } from "../http/after-response";
import { sendMail } from "../mail/send-mail";
import { sendVerificationLink } from "./email-verification";

/** Accept a sign-up: the same for every address. The account, if any, is made after the answer. */
export async function register(db: Db, input: RegisterInput, context: AuditContext): Promise<void> {
  // These depend only on what was typed, so they answer the same for a known address.
  assertAcceptablePassword(input.password, input);
  await assertMailSendAllowed({ ip: context.ip, to: input.email, requestId: context.requestId });
  // Hashed in the request for both cases: the one cost a clock could otherwise tell apart.
  const passwordHash = await hashPassword(input.password);
  afterResponse("registration", () => createOrRemind(db, input, passwordHash, context));
}

/** Exported for the tests that prove the two paths apart from the response. */
export async function createOrRemind(db: Db, input: RegisterInput, passwordHash: string, context: AuditContext): Promise<void> {
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing !== null) return remind(db, existing.id, input.email, context);
  let user: { id: string; name: string };
  try {
    user = await db.user.create({
      // Role is never taken from input: public registration always makes a plain user.
      data: { email: input.email, name: input.name, passwordHash, role: "USER" },
      select: { id: true, name: true },
    });
  } catch (error) {
    // The same address signed up twice at once: the other request made the account.
    if (!isUniqueViolation(error)) throw error;
    const winner = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (winner !== null) await remind(db, winner.id, input.email, context);
    return;
  }
  await recordAuditEvent(db, context, { type: "user.registered", actorId: user.id, targetId: user.id });
  await sendVerificationLink(db, { id: user.id, email: input.email, name: user.name }, context);
}

async function remind(db: Db, userId: string, email: string, context: AuditContext): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { name: true } });
  if (user === null) return;
  await recordAuditEvent(db, context, { type: "user.registration_repeated", targetId: userId });
  const data = { name: user.name, signInUrl: `${env.APP_URL}/signin`, forgotUrl: `${env.APP_URL}/forgot-password` };
  await sendMail(db, { to: email, template: "account-exists", data }, { context });
}
