import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { requireUser } from "@/lib/auth/guards";
import { addPassword } from "@/lib/auth/oauth/add-password";
import { AddPasswordSchema } from "@/lib/auth/schemas";

export const access = "user";

/**
 * User. Adds a first password to an account that signs in only through a provider; needs a sign-in
 * in the last 10 minutes, and ends every other session (lib/auth/oauth/add-password.ts).
 */
export const POST = route(async ({ request, requestId }) => {
  const user = await requireUser(request);
  const input = parseInput(AddPasswordSchema, await readJson(request));
  await addPassword(await getDb(), { id: user.id, sessionId: user.sessionId }, input, requestContext(request, requestId));
  return new Response(null, { status: 204 });
});
