/**
 * The second step of a sign-in (`POST /api/auth/login/second-factor`): the pending sign-in named
 * by the browser's cookie (./pending-sign-in.ts), a second factor checked under the account's
 * code budget (./second-factor.ts), and only then a session. See
 * docs/decisions/047-second-factor-sign-in-and-step-up.md.
 *
 * A wrong code keeps the pending sign-in, so a typo costs one attempt, not the password again;
 * the budget, not the row, bounds the guessing. A right code spends the row first: of two
 * requests finishing one sign-in, only the one that deleted it opens a session.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { problemResponse } from "../../http/problem";
import { publicUserSelect, toPublicUser } from "../../users/public-user";
import { noticeNewSignIn } from "../../users/new-sign-in";
import { revokeEmailTokens } from "../../users/email-tokens";
import { sessionResponse } from "../issue";
import { providerName } from "../oauth/provider-name";
import type { ProviderId } from "../oauth/configured";
import { createSession } from "../sessions";
import { clearedPendingSignInCookie, readPendingSignIn, spendPendingSignIn } from "./pending-sign-in";
import { proveSecondFactor, type SecondFactorProof } from "./second-factor";

/** No live pending sign-in: 401, and the stale cookie goes, so the browser starts the sign-in again. */
export function pendingSignInExpired(requestId: string): Response {
  const response = problemResponse(new AppError("ERR_SECOND_FACTOR_EXPIRED", { detail: "Your sign-in timed out. Sign in again." }), requestId);
  response.headers.append("set-cookie", clearedPendingSignInCookie());
  return response;
}

function refusal(proof: SecondFactorProof): string {
  if ("code" in proof) return "That code is not correct. Check your authenticator app and try again.";
  if ("recoveryCode" in proof) return "That recovery code is not correct or was used already.";
  return "That passkey could not be verified. Try again.";
}

export async function finishSecondFactorSignIn(db: Db, request: Request, proof: SecondFactorProof, context: AuditContext): Promise<Response> {
  const pending = await readPendingSignIn(db, request);
  if (pending === null) return pendingSignInExpired(context.requestId);

  // A passkey's challenge was bound to this pending sign-in (./passkey-options.ts), so an
  // assertion made for another sign-in, or inside a session, does not finish this one.
  const result = await proveSecondFactor(db, pending.userId, proof, "sign-in", context, pending.id);
  if (!result.ok) throw new AppError("ERR_SECOND_FACTOR_INVALID", { detail: refusal(proof), headers: Object.fromEntries(result.headers) });
  if (!(await spendPendingSignIn(db, pending))) return pendingSignInExpired(context.requestId);

  const user = await db.user.findUnique({ where: { id: pending.userId }, select: publicUserSelect });
  if (user === null) return pendingSignInExpired(context.requestId);
  // The row's provider was one of ours when it was written (../oauth/linking.ts).
  const method = pending.firstFactor === "fed" && pending.provider !== null ? providerName(pending.provider as ProviderId) : "your password";
  // Both factors passed: now, as at any sign-in, a reset link still in the mailbox dies.
  await revokeEmailTokens(db, user.id, ["RESET_PASSWORD"]);
  // Compared with the sessions from before this one.
  await noticeNewSignIn(db, user.id, method, context);
  const session = await createSession(db, user.id, context, { amr: [pending.firstFactor, result.amr, "mfa"], secondFactor: true });
  await recordAuditEvent(db, context, {
    type: "mfa.succeeded",
    actorId: user.id,
    targetId: session.sessionId,
    details: { firstFactor: pending.firstFactor, method: result.method, ...(pending.provider === null ? {} : { provider: pending.provider }) },
  });
  const response = await sessionResponse(toPublicUser(user), session, session);
  response.headers.append("set-cookie", clearedPendingSignInCookie());
  for (const [name, value] of result.headers) response.headers.set(name, value);
  return response;
}
