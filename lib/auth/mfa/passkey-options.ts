/**
 * The challenges a passkey answers as a second factor: the second step of a sign-in
 * (`POST /api/auth/login/second-factor/passkey/options`) and a step-up
 * (`POST /api/auth/step-up/passkey/options`). The assertion then goes to the route that already
 * takes a code there, and is checked by ./second-factor.ts under the account's one budget
 * (docs/decisions/047-second-factor-sign-in-and-step-up.md).
 *
 * Threat: an assertion carried from one context into another (a phishing page that holds its own
 * pending sign-in relays the victim's assertion; a challenge issued to one session is answered in
 * another). Defence: each challenge names its purpose, its account and what it is bound to (the
 * pending sign-in's id, which only the `__Host-` cookie names, or the session's id, which only the
 * session's token names), and the spend matches all three (./passkey-challenges.ts). The account
 * is taken from the pending sign-in or the session, never from the request, so `allowCredentials`
 * lists only that account's passkeys and another user's credential is not found at the finish.
 */
import "server-only";
import type { UserActor } from "../../authz/policy";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { json } from "../../http/handler";
import { pendingSignInExpired } from "./finish-sign-in";
import { readPendingSignIn } from "./pending-sign-in";
import { startPasskeyAuthentication } from "./passkeys";

/** The options for the second step of the sign-in the request's pending cookie names. */
export async function secondFactorPasskeyOptions(db: Db, request: Request, requestId: string): Promise<Response> {
  const pending = await readPendingSignIn(db, request);
  if (pending === null) return pendingSignInExpired(requestId);
  const started = await startPasskeyAuthentication(db, { purpose: "second-factor", userId: pending.userId, boundTo: pending.id });
  if (!started.ok) throw noPasskey();
  return optionsResponse(started.options);
}

/** The options for a step-up in the caller's own session. */
export async function stepUpPasskeyOptions(db: Db, caller: UserActor): Promise<Response> {
  const started = await startPasskeyAuthentication(db, { purpose: "step-up", userId: caller.id, boundTo: caller.sessionId });
  if (!started.ok) throw noPasskey();
  return optionsResponse(started.options);
}

/** A challenge is single-use and personal: no cache may keep or share it. */
export function optionsResponse(options: object, status = 200): Response {
  const response = json(options, { status });
  response.headers.set("cache-control", "no-store");
  return response;
}

function noPasskey(): AppError {
  return new AppError("ERR_CONFLICT", { detail: "This account has no passkey. Use another way to confirm it is you." });
}
