import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { requestContext } from "@/lib/http/request-context";
import { recordAuditEvent } from "@/lib/audit";
import { signedOut } from "@/lib/auth/logout";
import { requireUser } from "@/lib/auth/guards";
import { revokeAllSessions } from "@/lib/auth/refresh";

export const access = "user";

/** User. Ends every session of the caller, on every device. */
export const POST = route(async ({ request, requestId }) => {
  const user = await requireUser(request);
  const db = await getDb();
  const revoked = await revokeAllSessions(db, user.id, "logout_all");
  await recordAuditEvent(db, requestContext(request, requestId), { type: "logout_all", actorId: user.id, targetId: user.id, details: { revoked } });
  return signedOut(new Response(null, { status: 204 }), new URL(request.url));
});
