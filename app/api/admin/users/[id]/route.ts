import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery } from "@/lib/http/query";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { requirePermission } from "@/lib/auth/guards";
import { updateUser, UpdateUserSchema, UserParams } from "@/lib/admin/users";

export const access = "admin";

/**
 * Admin. `{role?, disabled?}`: change a role, disable or enable an account. Either change ends
 * every session of that account; demoting or disabling the last enabled admin is a 409.
 */
export const PATCH = route<{ id: string }>(async ({ request, params, requestId }) => {
  const admin = await requirePermission(request, "user:update");
  const { id } = parseInput(UserParams, params);
  assertNoQuery(request.url);
  const input = parseInput(UpdateUserSchema, await readJson(request));
  const user = await updateUser(await getDb(), admin, id, input, requestContext(request, requestId));
  if (user === null) throw new AppError("ERR_NOT_FOUND", { detail: "No such user." });
  return json(user);
});
