import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { changePassword } from "@/lib/auth/credentials";
import { requireUser } from "@/lib/auth/guards";
import { ChangePasswordSchema } from "@/lib/auth/schemas";

export const access = "user";

/** User. Needs the current password; every other session of the user is ended. */
export const POST = route(async ({ request, requestId }) => {
  const user = await requireUser(request);
  const input = parseInput(ChangePasswordSchema, await readJson(request));
  await changePassword(await getDb(), user.id, user.sessionId, input, requestContext(request, requestId));
  return new Response(null, { status: 204 });
});
