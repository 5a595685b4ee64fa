/**
 * Adding a first password to an account that signs in only through a provider
 * (POST /api/auth/oauth/password; docs/decisions/031-account-linking-rules.md, "Adding a password").
 *
 * Threat: a password is a second, lasting way into the account. Whoever holds a session for a
 * few minutes (an unlocked laptop, an access token copied out of a proxy log) could otherwise add
 * one and keep the account after the session ends, or after the real owner loses access to the
 * provider. Changing a password needs the current one (lib/auth/credentials.ts); an account
 * without one has nothing to confirm with.
 * Defence: the request must come from a session opened by a sign-in in the last 10 minutes
 * (`RECENT_SIGN_IN_SECONDS`, the same rule as linking while signed in): the person has just
 * authenticated with their provider, so it is them, not only their token. The password must pass
 * the same policy as any other (ADR 005), the write happens only if there is still no password
 * (two racing requests cannot both set one), and every other session is ended, as after a change.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { UserActor } from "../../authz/policy";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { assertAcceptablePassword } from "../credentials";
import { hashPassword } from "../password-hash";
import type { AddPasswordInput } from "../schemas";
import { revokeAllSessions } from "../sessions";
import { isRecentSignIn, RECENT_SIGN_IN_SECONDS } from "./linking";

export async function addPassword(db: Db, caller: UserActor, input: AddPasswordInput, context: AuditContext): Promise<void> {
  const user = await db.user.findUnique({ where: { id: caller.id }, select: { email: true, name: true, passwordHash: true } });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  if (user.passwordHash !== null) {
    throw new AppError("ERR_CONFLICT", { detail: "This account already has a password. Change it with your current password instead." });
  }
  if (!(await isRecentSignIn(db, caller))) {
    throw new AppError("ERR_REAUTH_REQUIRED", {
      detail: `Sign in again to add a password: it must be done within ${RECENT_SIGN_IN_SECONDS / 60} minutes of signing in.`,
    });
  }
  assertAcceptablePassword(input.newPassword, user, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction(async (tx) => {
    // Conditional on "still no password": of two racing requests, only one sets it.
    const updated = await tx.user.updateMany({ where: { id: caller.id, passwordHash: null }, data: { passwordHash } });
    if (updated.count !== 1) throw new AppError("ERR_CONFLICT", { detail: "This account already has a password." });
    const revoked = await revokeAllSessions(tx, caller.id, "password_changed", caller.sessionId);
    await recordAuditEvent(tx, context, { type: "password.added", actorId: caller.id, targetId: caller.id, details: { otherSessionsRevoked: revoked } });
  });
}
