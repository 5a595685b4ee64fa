import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery, parseQuery } from "@/lib/http/query";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { requirePermission } from "@/lib/auth/guards";
import { createUser, CreateUserSchema, listUsers, UserListQuerySchema } from "@/lib/admin/users";

export const access = "admin";

/** Admin. Every account, paged: `sort` is name, email or created_at; `limit` at most 100. */
export const GET = route(async ({ request }) => {
  await requirePermission(request, "user:list");
  const query = parseQuery(UserListQuerySchema, request.url);
  return json(await listUsers(await getDb(), query));
});

/** Admin. Create an account with a chosen role: the only way an admin account is made over HTTP. */
export const POST = route(async ({ request, requestId }) => {
  const admin = await requirePermission(request, "user:create");
  assertNoQuery(request.url);
  const input = parseInput(CreateUserSchema, await readJson(request));
  const user = await createUser(await getDb(), admin, input, requestContext(request, requestId));
  return json(user, { status: 201 });
});
