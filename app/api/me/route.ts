import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/handler";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { signedOut } from "@/lib/auth/logout";
import { requireUser } from "@/lib/auth/guards";
import { DeleteAccountSchema, deleteOwnAccount } from "@/lib/users/delete-account";
import { publicUserSelect, toPublicUser } from "@/lib/users/public-user";

export const access = "user";

/** User. The caller's own account. */
export const GET = route(async ({ request }) => {
  const caller = await requireUser(request);
  const user = await (await getDb()).user.findUnique({ where: { id: caller.id }, select: publicUserSelect });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  return json(toPublicUser(user));
});

/** User. Deletes the caller's own account after re-checking the password; signs out everywhere. */
export const DELETE = route(async ({ request, requestId }) => {
  const caller = await requireUser(request);
  const input = parseInput(DeleteAccountSchema, await readJson(request));
  await deleteOwnAccount(await getDb(), caller, input, requestContext(request, requestId));
  return signedOut(new Response(null, { status: 204 }), new URL(request.url));
});
