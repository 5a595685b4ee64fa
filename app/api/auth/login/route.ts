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
import { authAttemptRefusal, checkAuthAttempt, recordAuthFailure, recordAuthSuccess } from "@/lib/edge/rate-limit/auth-attempts";

export const access = "public";

/**
 * Public. Only failures count toward the sign-in limit (per address and per account; the edge
 * cannot tell a failure from a success). One generic answer for every failure, so responses never
 * reveal whether an account exists.
 */
export const POST = route(async ({ request, requestId }) => {
  const input = parseInput(LoginSchema, await readJson(request));
  const context = requestContext(request, requestId);
  const db = await getDb();
  const attempt = await checkAuthAttempt({ ip: context.ip, email: input.email, requestId });
  if (!attempt.allowed) {
    await recordAuditEvent(db, context, { type: "login.rate_limited" });
    return authAttemptRefusal(attempt, requestId);
  }
  const result = await checkCredentials(db, input);
  if (!result.ok) {
    await recordAuthFailure(attempt);
    await recordAuditEvent(db, context, { type: "login.failed", targetId: result.userId });
    throw new AppError("ERR_INVALID_CREDENTIALS", { detail: "Invalid email or password.", headers: Object.fromEntries(attempt.headers) });
  }
  await recordAuthSuccess(attempt);
  const session = await createSession(db, result.user.id, context);
  await recordAuditEvent(db, context, { type: "login.succeeded", actorId: result.user.id, targetId: session.sessionId });
  const response = await sessionResponse(result.user, session.sessionId, session);
  for (const [name, value] of attempt.headers) response.headers.set(name, value);
  return response;
});
