import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery } from "@/lib/http/query";
import { requireUser } from "@/lib/auth/guards";
import { listSignInMethods } from "@/lib/auth/oauth/sign-in-methods";

export const access = "user";

/** User. The caller's own ways in: the password (whether there is one) and every linked provider. */
export const GET = route(async ({ request }) => {
  const user = await requireUser(request);
  assertNoQuery(request.url);
  return json(await listSignInMethods(await getDb(), user.id));
});
