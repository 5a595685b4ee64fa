import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { route } from "@/lib/http/handler";
import { problemResponse } from "@/lib/http/problem";
import { requestContext } from "@/lib/http/request-context";
import { REFRESH_COOKIE } from "@/lib/auth/cookie-names";
import { readCookie } from "@/lib/auth/cookies";
import { sessionResponse } from "@/lib/auth/issue";
import { signedOut } from "@/lib/auth/logout";
import { rotateRefreshToken } from "@/lib/auth/refresh";
import { toPublicUser } from "@/lib/users/public-user";

export const access = "public";

/** Public (the refresh cookie is the credential). Rotates the refresh token; see lib/auth/refresh.ts. */
export const POST = route(async ({ request, requestId, log }) => {
  // A second refresh cookie (a planted one) never gets here: the handler wrapper refuses it.
  const outcome = await rotateRefreshToken(await getDb(), readCookie(request.headers, REFRESH_COOKIE), requestContext(request, requestId));
  switch (outcome.kind) {
    case "rotated":
      return sessionResponse(toPublicUser(outcome.user), outcome.session.sessionId, outcome.session);
    case "grace":
      // Another request rotated this token a moment ago and holds the new one: a fresh access
      // token only, and no second refresh chain.
      return sessionResponse(toPublicUser(outcome.user), outcome.sessionId, null);
    case "reused":
      log.warn({ userId: outcome.userId, sessionId: outcome.sessionId }, "refresh token reuse: session revoked");
      return signedOut(problemResponse(new AppError("ERR_REFRESH_REUSED", { detail: "Sign in again." }), requestId), new URL(request.url));
    case "invalid":
      return signedOut(problemResponse(new AppError("ERR_REFRESH_INVALID", { detail: "Sign in again." }), requestId), new URL(request.url));
  }
});
