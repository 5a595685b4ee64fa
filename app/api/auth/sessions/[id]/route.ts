import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { route } from "@/lib/http/handler";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { recordAuditEvent } from "@/lib/audit";
import { requireUser } from "@/lib/auth/guards";
import { revokeOwnSession } from "@/lib/auth/refresh";

export const access = "user";

const Params = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/, { message: "Not a session id." }) });

/** User. Revokes one of the caller's own sessions; anyone else's is a 404, as if it did not exist. */
export const DELETE = route<{ id: string }>(async ({ request, params, requestId }) => {
  const user = await requireUser(request);
  const { id } = parseInput(Params, params);
  const db = await getDb();
  if (!(await revokeOwnSession(db, user.id, id, "revoked_by_user"))) throw new AppError("ERR_NOT_FOUND");
  await recordAuditEvent(db, requestContext(request, requestId), { type: "session.revoked", actorId: user.id, targetId: id });
  return new Response(null, { status: 204 });
});
