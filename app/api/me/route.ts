import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/handler";
import { requireUser } from "@/lib/auth/guards";
import { publicUserSelect, toPublicUser } from "@/lib/users/public-user";

/** User. The caller's own account. */
export const GET = route(async ({ request }) => {
  const caller = await requireUser(request);
  const user = await (await getDb()).user.findUnique({ where: { id: caller.id }, select: publicUserSelect });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  return json(toPublicUser(user));
});
