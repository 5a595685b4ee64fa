/**
 * `POST /api/auth/refresh` as HTTP: the rotation's outcome (./refresh.ts) mapped to cookies. A
 * refused refresh also clears the browser's cookies, every copy of them, so a dead session does
 * not keep being presented.
 */
import "server-only";
import type { Logger } from "pino";
import type { AuditContext } from "../audit";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { problemResponse } from "../http/problem";
import { toPublicUser } from "../users/public-user";
import { sendSecurityNotice } from "../users/security-notices";
import { REFRESH_COOKIE } from "./cookie-names";
import { readCookie } from "./cookies";
import { sessionResponse } from "./issue";
import { signedOut } from "./logout";
import { rotateRefreshToken } from "./sessions";

export async function refreshSession(db: Db, request: Request, context: AuditContext, log: Logger): Promise<Response> {
  // A second refresh cookie (a planted one) never gets here: the handler wrapper refuses it.
  const outcome = await rotateRefreshToken(db, readCookie(request.headers, REFRESH_COOKIE), context);
  const url = new URL(request.url);
  switch (outcome.kind) {
    case "rotated":
      return sessionResponse(toPublicUser(outcome.user), outcome.session, outcome.session);
    case "grace":
      // Another request rotated this token a moment ago and holds the new one: a fresh access
      // token only, and no second refresh chain.
      return sessionResponse(toPublicUser(outcome.user), outcome.grant, null);
    case "reused":
      log.warn({ userId: outcome.userId, sessionId: outcome.sessionId }, "refresh token reuse: session revoked");
      await sendSecurityNotice(db, outcome.userId, { kind: "session-ended-on-reuse" }, context);
      return signedOut(problemResponse(new AppError("ERR_REFRESH_REUSED", { detail: "Sign in again." }), context.requestId), url);
    case "invalid":
      return signedOut(problemResponse(new AppError("ERR_REFRESH_INVALID", { detail: "Sign in again." }), context.requestId), url);
  }
}
