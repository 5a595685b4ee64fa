import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { requestContext } from "@/lib/http/request-context";
import { recordAuditEvent } from "@/lib/audit";
import { REFRESH_COOKIE } from "@/lib/auth/cookie-names";
import { clearedAuthCookies, readCookie } from "@/lib/auth/cookies";
import { revokeOwnSession, sessionOfRefreshToken } from "@/lib/auth/refresh";

export const access = "public";

/** Public (the refresh cookie names the session). Ends this session; always clears the cookies. */
export const POST = route(async ({ request, requestId }) => {
  const db = await getDb();
  const session = await sessionOfRefreshToken(db, readCookie(request.headers, REFRESH_COOKIE));
  if (session !== null && (await revokeOwnSession(db, session.userId, session.sessionId, "logout"))) {
    await recordAuditEvent(db, requestContext(request, requestId), { type: "logout", actorId: session.userId, targetId: session.sessionId });
  }
  const response = new Response(null, { status: 204 });
  for (const cookie of clearedAuthCookies()) response.headers.append("set-cookie", cookie);
  return response;
});
