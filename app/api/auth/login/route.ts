import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { route } from "@/lib/http/handler";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { recordAuditEvent } from "@/lib/audit";
import { checkCredentials } from "@/lib/auth/credentials";
import { sessionResponse } from "@/lib/auth/issue";
import { createSession } from "@/lib/auth/refresh";
import { LoginSchema } from "@/lib/auth/schemas";

/** Public. One generic answer for every failure, so responses never reveal whether an account exists. */
export const POST = route(async ({ request, requestId }) => {
  const input = parseInput(LoginSchema, await readJson(request));
  const context = requestContext(request, requestId);
  const db = await getDb();
  const result = await checkCredentials(db, input);
  if (!result.ok) {
    await recordAuditEvent(db, context, { type: "login.failed", targetId: result.userId });
    throw new AppError("ERR_INVALID_CREDENTIALS", { detail: "Invalid email or password." });
  }
  const session = await createSession(db, result.user.id, context);
  await recordAuditEvent(db, context, { type: "login.succeeded", actorId: result.user.id, targetId: session.sessionId });
  return sessionResponse(result.user, session.sessionId, session);
});
