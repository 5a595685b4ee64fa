import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { requestContext } from "@/lib/http/request-context";
import { recordAuditEvent } from "@/lib/audit";
import { clearedAuthCookies } from "@/lib/auth/cookies";
import { requireUser } from "@/lib/auth/guards";
import { revokeAllSessions } from "@/lib/auth/refresh";

export const access = "user";

/** User. Ends every session of the caller, on every device. */
export const POST = route(async ({ request, requestId }) => {
  const user = await requireUser(request);
  const db = await getDb();
  const revoked = await revokeAllSessions(db, user.id, "logout_all");
  await recordAuditEvent(db, requestContext(request, requestId), { type: "logout_all", actorId: user.id, targetId: user.id, details: { revoked } });
  const response = new Response(null, { status: 204 });
  for (const cookie of clearedAuthCookies()) response.headers.append("set-cookie", cookie);
  return response;
});
