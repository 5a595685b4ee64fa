/**
 * A password sign-in: the one password check (./password-attempt.ts, with its limits, its equal
 * cost and its audit of failures), then a new session and its cookies, or, for an account with a
 * second factor, a pending sign-in that waits for it (./mfa/pending-sign-in.ts). Every failure is
 * the same 401, so the answer never says whether the account exists; the limit headers ride on
 * every answer, so a client can see its remaining budget.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { sessionResponse } from "./issue";
import { startPendingSignIn } from "./mfa/pending-sign-in";
import { secondStepResponse } from "./mfa/second-step-response";
import { attemptPassword } from "./password-attempt";
import { createSession } from "./sessions";
import { revokeEmailTokens } from "../users/email-tokens";
import { noticeNewSignIn } from "../users/new-sign-in";
import type { LoginInput } from "./schemas";

export async function signIn(db: Db, input: LoginInput, context: AuditContext): Promise<Response> {
  const result = await attemptPassword(db, { account: { email: input.email }, password: input.password, purpose: "sign-in" }, context);
  if (!result.ok) {
    throw new AppError("ERR_INVALID_CREDENTIALS", { detail: "Invalid email or password.", headers: Object.fromEntries(result.headers) });
  }
  if (result.secondFactor) {
    // Nothing changes on the password alone, not even a reset link in the owner's mailbox: its
    // holder could otherwise cancel every link the owner asks for (../mfa/finish-sign-in.ts does it).
    // The password was right, and that is all it proves: nothing opens until the second factor.
    const cookie = await startPendingSignIn(db, result.user.id, { method: "pwd" });
    await recordAuditEvent(db, context, { type: "mfa.challenged", actorId: result.user.id, targetId: result.user.id, details: { firstFactor: "pwd" } });
    const response = await secondStepResponse(db, result.user.id, cookie);
    for (const [name, value] of result.headers) response.headers.set(name, value);
    return response;
  }
  // Whoever remembers the password needs no reset link: one still in a mailbox dies here.
  await revokeEmailTokens(db, result.user.id, ["RESET_PASSWORD"]);
  // Compared with the sessions from before this one.
  await noticeNewSignIn(db, result.user.id, "your password", context);
  const session = await createSession(db, result.user.id, context);
  await recordAuditEvent(db, context, { type: "login.succeeded", actorId: result.user.id, targetId: session.sessionId });
  const response = await sessionResponse(result.user, session, session);
  for (const [name, value] of result.headers) response.headers.set(name, value);
  return response;
}
