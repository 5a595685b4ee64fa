/**
 * Password sign-up, sign-in and change.
 *
 * No user enumeration (OWASP ASVS 5.0 V6.3.8): an unknown email, an account with no password
 * (identity-provider only), a disabled account and a wrong password all take one argon2
 * verification and end in the same `ERR_INVALID_CREDENTIALS`. For an unknown email the
 * verification runs against a dummy hash made with today's parameters, so the timing matches.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { AppError } from "../http/errors";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { publicUserSelect, toPublicUser, type PublicUser } from "../users/public-user";
import { isCommonPassword } from "./common-passwords";
import { hashPassword, needsRehash, verifyPassword } from "./password-hash";
import { contextProblem } from "./password-policy";
import { revokeAllSessions } from "./refresh";
import type { ChangePasswordInput, LoginInput, RegisterInput } from "./schemas";

let dummyHash: Promise<string> | undefined;

function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString("base64url"));
  return dummyHash;
}

function passwordRejected(message: string, field = "password"): AppError {
  return new AppError("ERR_VALIDATION", { detail: "Choose a different password.", errors: { [field]: [message] } });
}

/** Server-side password checks beyond the shared schema: the common list and the user's own words. */
export function assertAcceptablePassword(password: string, context: { email?: string; name?: string }, field = "password"): void {
  if (isCommonPassword(password)) throw passwordRejected("This password is on a list of commonly used passwords.", field);
  const problem = contextProblem(password, context);
  if (problem !== null) throw passwordRejected(problem, field);
}

export async function registerUser(db: Db, input: RegisterInput, context: AuditContext): Promise<PublicUser> {
  assertAcceptablePassword(input.password, input);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.user.create({
      // Role is never taken from input: public registration always makes a plain user.
      data: { email: input.email, name: input.name, passwordHash, role: "USER" },
      select: publicUserSelect,
    });
    await recordAuditEvent(db, context, { type: "user.registered", actorId: user.id, targetId: user.id });
    return toPublicUser(user);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("ERR_EMAIL_TAKEN", { detail: "Sign in instead, or use another email address." });
    throw error;
  }
}

export type LoginResult = { ok: true; user: PublicUser } | { ok: false; userId: string | null };

/** Check a password. Never throws for bad credentials: the caller decides how failures count. */
export async function checkCredentials(db: Db, input: LoginInput): Promise<LoginResult> {
  const user = await db.user.findUnique({
    where: { email: input.email },
    select: { ...publicUserSelect, passwordHash: true, disabledAt: true },
  });
  const valid = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), input.password);
  if (user === null || user.passwordHash === null || !valid || user.disabledAt !== null) {
    return { ok: false, userId: user?.id ?? null };
  }
  if (needsRehash(user.passwordHash)) {
    // The stored hash used older parameters; upgrade it now that we hold the plaintext.
    await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.password) }, select: { id: true } });
  }
  return { ok: true, user: toPublicUser(user) };
}

/** Change a password: needs the current one, and ends every other session of the user. */
export async function changePassword(
  db: Db,
  userId: string,
  currentSessionId: string,
  input: ChangePasswordInput,
  context: AuditContext,
): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, name: true, passwordHash: true } });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  if (user.passwordHash === null) {
    // An account without a password has no current one to prove: setting a first password is a
    // different operation, with its own proof (a recent sign-in; lib/auth/oauth/add-password.ts).
    throw new AppError("ERR_CONFLICT", { detail: "This account has no password yet. Add one from your account page." });
  }
  const valid = await verifyPassword(user.passwordHash, input.currentPassword);
  if (!valid) {
    throw new AppError("ERR_VALIDATION", { detail: "Your current password is not correct.", errors: { currentPassword: ["Not correct."] } });
  }
  assertAcceptablePassword(input.newPassword, user, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction(async (tx) => {
    // updateMany: an account deleted meanwhile is "signed out" (401), not a crash.
    const updated = await tx.user.updateMany({ where: { id: userId }, data: { passwordHash } });
    if (updated.count !== 1) throw new AppError("ERR_UNAUTHENTICATED");
    const revoked = await revokeAllSessions(tx, userId, "password_changed", currentSessionId);
    await recordAuditEvent(tx, context, { type: "password.changed", actorId: userId, targetId: userId, details: { otherSessionsRevoked: revoked } });
  });
}
