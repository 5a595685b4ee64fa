/**
 * The caller's own account, read by the caller's own id: there is no parameter that could name
 * anyone else's.
 */
import "server-only";
import type { UserActor } from "../authz/policy";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { publicUserSelect, toPublicUser, type PublicUser } from "./public-user";

export async function ownAccount(db: Db, caller: UserActor): Promise<PublicUser> {
  const user = await db.user.findUnique({ where: { id: caller.id }, select: publicUserSelect });
  // The guard saw a live session a moment ago; an account deleted since is signed out, not missing.
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  return toPublicUser(user);
}
