import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { requireUser } from "@/lib/auth/guards";
import { unlinkProvider, UnlinkParamsSchema } from "@/lib/auth/oauth/sign-in-methods";

export const access = "user";

/**
 * User. Removes a provider from the caller's own account: needs a recent sign-in, keeps at least
 * one way in, and ends every other session (lib/auth/oauth/sign-in-methods.ts).
 */
export const DELETE = route<{ provider: string }>(async ({ request, params, requestId }) => {
  const user = await requireUser(request);
  const { provider } = parseInput(UnlinkParamsSchema, params);
  await unlinkProvider(await getDb(), { id: user.id, sessionId: user.sessionId }, provider, requestContext(request, requestId));
  return new Response(null, { status: 204 });
});
