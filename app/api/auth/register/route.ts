import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { registerUser } from "@/lib/auth/credentials";
import { sessionResponse } from "@/lib/auth/issue";
import { createSession } from "@/lib/auth/refresh";
import { RegisterSchema } from "@/lib/auth/schemas";

export const access = "public";

/** Public. Creates a plain user (never any other role) and signs them in. */
export const POST = route(async ({ request, requestId }) => {
  const input = parseInput(RegisterSchema, await readJson(request));
  const context = requestContext(request, requestId);
  const db = await getDb();
  const user = await registerUser(db, input, context);
  const session = await createSession(db, user.id, context);
  return sessionResponse(user, session.sessionId, session, 201);
});
