import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { route } from "@/lib/http/handler";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { recordAuditEvent } from "@/lib/audit";
import { sessionResponse } from "@/lib/auth/issue";
import { attemptPassword } from "@/lib/auth/password-attempt";
import { createSession } from "@/lib/auth/refresh";
import { LoginSchema } from "@/lib/auth/schemas";

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
  const result = await attemptPassword(db, { account: { email: input.email }, password: input.password, purpose: "sign-in" }, context);
  if (!result.ok) {
    throw new AppError("ERR_INVALID_CREDENTIALS", { detail: "Invalid email or password.", headers: Object.fromEntries(result.headers) });
  }
  const session = await createSession(db, result.user.id, context);
  await recordAuditEvent(db, context, { type: "login.succeeded", actorId: result.user.id, targetId: session.sessionId });
  const response = await sessionResponse(result.user, session.sessionId, session);
  for (const [name, value] of result.headers) response.headers.set(name, value);
  return response;
});
