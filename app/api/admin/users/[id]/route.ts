import { endpoint, notFound } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { AdminUserSchema, updateUser, UpdateUserSchema, UserParams } from "@/lib/admin/users";

/**
 * `{role?, disabled?}`: change a role, disable or enable an account. Either change ends every
 * session of that account; demoting or disabling the last enabled admin is a 409.
 */
export const PATCH = endpoint(
  {
    summary: "Change an account's role, or disable or enable it",
    access: { permission: "user:update" },
    sensitive: true,
    params: UserParams,
    body: { kind: "json", schema: UpdateUserSchema, example: { role: "admin" } },
    responses: { 200: { description: "The account as changed", schema: AdminUserSchema } },
    problems: ["ERR_NOT_FOUND", "ERR_LAST_ADMIN", "ERR_EMAIL_UNVERIFIED"],
  },
  async ({ actor, params, body, db, context }) => {
    const user = await updateUser(db, actor, params.id, body, context);
    if (user === null) throw notFound("No such user.");
    return json(user);
  },
);
